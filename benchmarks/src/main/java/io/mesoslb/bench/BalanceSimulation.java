package io.mesoslb.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Balance;
import io.mesoslb.core.RoundRobinCursor;
import io.mesoslb.core.Route;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The balance modes against one slow backend, in virtual time: a discrete-event simulation, no
 * sockets, no threads, seconds to run. It drives the real {@link Route#select(Balance, int, Backend)}
 * and the real in-flight counts ({@code acquired} when a request is routed, {@code released} when
 * its response ends), so what it compares is the code the proxy would run.
 *
 * <p>Three backends, each a server with {@code workers} requests served at once and a FIFO queue
 * behind them (a thread pool), exponential service times, one backend {@code slowFactor} times
 * slower. A closed loop of {@code clients}, each sending its next request an exponential think time
 * after its last response. Latency is from routing to response, queueing included. Service and
 * think times come from a seeded generator, so a run repeats exactly except for
 * {@link Balance#LEAST_REQUEST}, whose draws use {@code ThreadLocalRandom} as in production.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mesoslb.bench.BalanceSimulation [clients] [workers] [thinkMs] [slowFactor] [requests] [seed]
 * </pre>
 */
public final class BalanceSimulation {
    /** The table goes to the log, as the other benchmark reports do (no System.out outside --help). */
    private static final Logger REPORT = LoggerFactory.getLogger("mesos-lb.bench.balance");
    private static final double FAST_SERVICE_MS = 1.0;

    private final int clients;
    private final int workers;
    private final double thinkMs;
    private final double slowFactor;
    private final int requests;
    private final long seed;

    private BalanceSimulation(int clients, int workers, double thinkMs, double slowFactor, int requests, long seed) {
        this.clients = clients;
        this.workers = workers;
        this.thinkMs = thinkMs;
        this.slowFactor = slowFactor;
        this.requests = requests;
        this.seed = seed;
    }

    public static void main(String[] args) {
        BalanceSimulation sim = new BalanceSimulation(
                intArg(args, 0, 48), intArg(args, 1, 4), doubleArg(args, 2, 5.0), doubleArg(args, 3, 10.0),
                intArg(args, 4, 200_000), args.length > 5 ? Long.parseLong(args[5]) : 42L);
        REPORT.info(String.format(Locale.ROOT, "3 backends x %d workers, service exp(mean %.1f ms), backend 3 x%.0f slower;"
                        + " %d clients, think exp(mean %.1f ms); %,d requests after %,d warm-up; seed %d",
                sim.workers, FAST_SERVICE_MS, sim.slowFactor, sim.clients, sim.thinkMs, sim.requests, sim.requests / 10, sim.seed));
        REPORT.info("| mode | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | share to slow |");
        REPORT.info("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Balance b : Balance.values()) {
            REPORT.info(sim.run(b));
        }
    }

    private String run(Balance balance) {
        BackendState[] states = new BackendState[3];
        Server[] servers = new Server[3];
        for (int i = 0; i < 3; i++) {
            states[i] = new BackendState(new Backend("10.0.0." + (i + 1), 31_000 + i, "sim." + i, "/sim"));
            servers[i] = new Server(states[i], FAST_SERVICE_MS * (i == 2 ? slowFactor : 1));
        }
        Route route = new Route("/sim", List.of("sim.example.com"), states, new RoundRobinCursor(), () -> 0L);
        SplittableRandom random = new SplittableRandom(seed);
        PriorityQueue<Event> events = new PriorityQueue<>();
        long seq = 0;
        for (int c = 0; c < clients; c++) {
            events.add(new Event(exp(random, thinkMs), seq++, c, null));
        }
        int warmUp = requests / 10;
        double[] latencies = new double[requests];
        int done = 0;
        int toSlow = 0;
        double measureStart = 0;
        double now = 0;
        while (done < warmUp + requests) {
            Event e = events.poll();
            now = e.at;
            if (e.request == null) {
                // Client e.client sends: route it as the proxy would, then hand it to the backend.
                BackendState s = route.select(balance, 0x0a000000 + e.client);
                s.acquired();
                Request r = new Request(e.client, now);
                Server server = serverOf(servers, s);
                if (server.busy < workers) {
                    server.busy++;
                    events.add(new Event(now + exp(random, server.meanMs), seq++, e.client, r.at(server)));
                } else {
                    server.queue.add(r.at(server));
                }
                continue;
            }
            Request r = e.request;
            Server server = r.server;
            server.state.released();
            Request next = server.queue.poll();
            if (next != null) {
                events.add(new Event(now + exp(random, server.meanMs), seq++, next.client, next));
            } else {
                server.busy--;
            }
            if (done == warmUp) {
                measureStart = now;
            }
            if (done >= warmUp) {
                latencies[done - warmUp] = now - r.sentAt;
                if (server == servers[2]) {
                    toSlow++;
                }
            }
            done++;
            events.add(new Event(now + exp(random, thinkMs), seq++, r.client, null));
        }
        Arrays.sort(latencies);
        double seconds = (now - measureStart) / 1000;
        return String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f%% |",
                balance, requests / seconds, pct(latencies, 0.50), pct(latencies, 0.90), pct(latencies, 0.99),
                pct(latencies, 0.999), latencies[requests - 1], 100.0 * toSlow / requests);
    }

    private static Server serverOf(Server[] servers, BackendState s) {
        for (Server server : servers) {
            if (server.state == s) {
                return server;
            }
        }
        throw new IllegalStateException("not a backend of the route: " + s);
    }

    private static double exp(SplittableRandom random, double mean) {
        return mean <= 0 ? 0 : -mean * Math.log(1 - random.nextDouble());
    }

    private static double pct(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    private static int intArg(String[] args, int i, int otherwise) {
        return args.length > i ? Integer.parseInt(args[i]) : otherwise;
    }

    private static double doubleArg(String[] args, int i, double otherwise) {
        return args.length > i ? Double.parseDouble(args[i]) : otherwise;
    }

    private static final class Server {
        final BackendState state;
        final double meanMs;
        final ArrayDeque<Request> queue = new ArrayDeque<>();
        int busy;

        Server(BackendState state, double meanMs) {
            this.state = state;
            this.meanMs = meanMs;
        }
    }

    private static final class Request {
        final int client;
        final double sentAt;
        Server server;

        Request(int client, double sentAt) {
            this.client = client;
            this.sentAt = sentAt;
        }

        Request at(Server s) {
            server = s;
            return this;
        }
    }

    /** A client's next send (no request) or a request's completion; ties in time go by creation order. */
    private record Event(double at, long seq, int client, Request request) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Double.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
