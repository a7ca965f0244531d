package io.mesoslb.server.proxy.origin;

import io.mesoslb.core.Backend;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The socket addresses of backends, made once per event loop from their IPs, so that no name is ever
 * looked up on the loop. Shared by the loop's HTTP/1.1 and HTTP/2 pools; touched only from the loop.
 */
final class BackendAddresses {
    private final Map<Backend, InetSocketAddress> byBackend = new HashMap<>();

    /**
     * The backend must have its {@linkplain Backend#ip() address}.
     *
     * @param live whether it is in the live table ({@link LiveBackends}): only then is its address kept, to be
     *             forgotten when it leaves
     */
    InetSocketAddress of(Backend backend, boolean live) {
        InetSocketAddress a = byBackend.get(backend);
        if (a == null) {
            a = new InetSocketAddress(backend.ip(), backend.port());
            if (live) {
                byBackend.put(backend, a);
            }
        }
        return a;
    }

    boolean holds(Backend backend) {
        return byBackend.containsKey(backend);
    }

    /** Forgets the backends that left the routing table. */
    void forget(Collection<Backend> gone) {
        for (Backend b : gone) {
            byBackend.remove(b);
        }
    }
}
