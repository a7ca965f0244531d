package io.mesoslb.server.testing;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.SimTask;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Which tasks serve a host, seen from outside (answers of backends that reply with their task id) and inside. */
public final class TaskAnswers {
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(30);

    private TaskAnswers() {
    }

    /**
     * Waits until a window of answers to {@code request} holds exactly these task ids: each of them,
     * and nothing else (no other task, no error status).
     */
    public static void awaitExactly(HttpClient client, HttpRequest request, Collection<String> taskIds,
                                    Duration timeout) throws Exception {
        Set<String> expected = Set.copyOf(taskIds);
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!seen.equals(expected)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("expected answers from " + expected + " but got " + seen);
            }
            // A fresh window each round, so tasks that left the rotation drop out of it. Errors are
            // not failures here: before the first sync the host has no route yet (404).
            seen.clear();
            for (int i = 0; i < expected.size() * 3; i++) {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                seen.add(r.statusCode() == 200 ? r.body() : r.statusCode() + " " + r.body());
            }
        }
    }

    /** Task ids the current table routes {@code host} to. */
    public static List<String> routed(RouteTableHolder routes, String host) {
        Route route = routes.current().lookup(host);
        return route == null ? List.of()
                : route.backends().stream().map(BackendState::backend).map(Backend::taskId).toList();
    }

    /**
     * Completes once {@code proxy} has drained {@code task} from {@code host}: the table routes the host elsewhere,
     * and the proxy holds no connection to the task's port (an exchange routed to it before it left has ended). A
     * simulator's {@link io.mesoslb.testkit.SimulatorOptions.Builder#killGate kill gate}: the task stops serving
     * once it is drained, however long the balancer took, as the kill grace of a real deployment is meant to allow.
     */
    public static CompletableFuture<Void> drained(ProxyFixture proxy, String host, SimTask task) {
        return CompletableFuture.runAsync(() -> Await.until(DRAIN_WAIT, () -> !routed(proxy.routes, host).contains(task.id())
                && noConnectionTo(proxy, task.port()), () -> task.id() + " drained from " + host));
    }

    private static boolean noConnectionTo(ProxyFixture proxy, int port) {
        for (Channel c : proxy.server.pools().connections()) {
            if (c.remoteAddress() instanceof InetSocketAddress a && a.getPort() == port) {
                return false;
            }
        }
        return true;
    }
}
