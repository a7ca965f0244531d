package io.mesoslb.server.proxy.tunnel;

/** What a tunnel reports of its traffic: its bytes as they pass, and how it ended, once. */
public interface TunnelObserver {
    TunnelObserver NONE = new TunnelObserver() {
        @Override
        public void relayed(boolean fromClient, int bytes) {
        }

        @Override
        public void closed(String how, Throwable originFailure) {
        }
    };

    /** {@code bytes} passed, from the client or from the backend. */
    void relayed(boolean fromClient, int bytes);

    /**
     * The tunnel is over.
     *
     * @param how           who ended it, or why ("client closed", "idle", "backend failed: ...")
     * @param originFailure the backend connection's failure, when that is what ended it; else null
     */
    void closed(String how, Throwable originFailure);
}
