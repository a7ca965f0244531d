package io.mesoslb.server.proxy.origin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lender of one HTTP/1.1 keep-alive connection: between exchanges it waits in its loop's
 * {@link LoopBackendPool}, reading (so that a close by the backend is seen), unless the backend sent
 * more than its response, which would be read as the start of the next client's.
 */
final class PooledConnection implements OriginLender {
    private static final Logger log = LoggerFactory.getLogger(PooledConnection.class);

    private final BackendResponseDecoder decoder;
    private final LoopBackendPool pool;

    PooledConnection(BackendResponseDecoder decoder, LoopBackendPool pool) {
        this.decoder = decoder;
        this.pool = pool;
    }

    @Override
    public void lend(boolean headRequest) {
        decoder.awaitResponse(headRequest);
    }

    @Override
    public void takeBack(OriginResponseReceiver receiver, boolean reuse) {
        decoder.betweenRequests();
        receiver.channel().config().setAutoRead(true);
        if (reuse && !leftOver(receiver)) {
            pool.release(receiver);
        } else {
            receiver.channel().close();
        }
    }

    /** Asked as the end of the response is handed on, so whatever came with it in the same read is counted. */
    private boolean leftOver(OriginResponseReceiver receiver) {
        if (decoder.holdsUnreadBytes()) {
            log.debug("{}: {} sent more than its response; not reusing the connection", receiver.channel(),
                    receiver.backend());
            return true;
        }
        return false;
    }

    @Override
    public void closedWhileIdle(OriginResponseReceiver receiver) {
        pool.evict(receiver);
    }
}
