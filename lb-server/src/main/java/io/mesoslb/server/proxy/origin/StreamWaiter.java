package io.mesoslb.server.proxy.origin;

/** Who asked a {@link LoopH2Pool} for a stream; answered on the loop, at once or when the connection is up. */
interface StreamWaiter {
    /**
     * @param ticket           what the request was made with: a stream answering an older one is not wanted
     * @param reusedConnection the stream is on a connection that was up before the request
     */
    void streamReady(int ticket, OriginResponseReceiver stream, boolean reusedConnection);

    /** No stream: the connection could not be made, or died before the stream was open. */
    void streamFailed(int ticket, Throwable cause);
}
