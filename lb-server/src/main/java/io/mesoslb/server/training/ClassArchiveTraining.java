package io.mesoslb.server.training;

import io.mesoslb.server.LbServer;
import io.mesoslb.server.Main;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run the Debian package's class-data-sharing archive is made from (README, "The JVM flags, and why"). The
 * launcher starts it as {@code java <the service's flags> -XX:ArchiveClassesAtExit=<file> -cp mesos-lb.jar
 * io.mesoslb.server.training.ClassArchiveTraining}; it starts the balancer as {@code Main} does, with Marathon
 * discovery against a stand-in on loopback ({@link TrainingMarathon}), routes a request once the snapshot is
 * published, routes to a task an event started, asks the admin server for its pages, and exits 0 through the
 * balancer's own shutdown. The JVM then writes every class it loaded into the archive, so that the service's next
 * start maps them instead of reading, parsing and verifying them from the jar. Exits 1 when a step does not
 * happen within its deadline; the package then keeps no archive.
 */
public final class ClassArchiveTraining {
    private static final Logger log = LoggerFactory.getLogger(ClassArchiveTraining.class);
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final String DOMAIN = "training.invalid";
    private static final String HOST = "training." + DOMAIN;

    private ClassArchiveTraining() {
    }

    public static void main(String[] args) {
        Main.prepare();
        try {
            train();
        } catch (Exception e) {
            log.error("class archive training failed: {}", e.toString());
            // Not System.exit: the balancer's shutdown sequence would end the process with its own status, 0.
            Runtime.getRuntime().halt(1);
        }
        // Through the shutdown sequence, as SIGTERM would: its classes are the service's too.
        System.exit(0);
    }

    private static void train() throws Exception {
        TrainingMarathon marathon = TrainingMarathon.start();
        ServerConfig config = ConfigLoader.load("--marathon-urls", marathon.url(), "--domain", DOMAIN,
                "--listen-host", "127.0.0.1", "--listen-port", "0", "--admin-host", "127.0.0.1", "--admin-port", "0",
                "--drain-period", "0s", "--shutdown-grace", "1s");
        CompletableFuture<LbServer> started = new CompletableFuture<>();
        // Closes the stand-in after the balancer, in the shutdown sequence.
        Main.run(config, marathon, started::complete);
        LbServer server = started.getNow(null);
        if (server == null) {
            throw new IllegalStateException("the balancer did not start");
        }
        InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", server.port());
        InetSocketAddress admin = server.adminAddress();
        await("a request routed to the first task", () -> get(proxy, HOST, "/"),
                r -> r.endsWith("\r\n\r\n" + TrainingMarathon.BODY));
        marathon.startSecondTask();
        await("the event's task in the table", () -> get(admin, "127.0.0.1", "/routes"),
                r -> r.contains(TrainingMarathon.taskId(2)));
        for (String page : new String[] {"/", "/stats.json", "/metrics", "/version", "/health"}) {
            get(admin, "127.0.0.1", page);
        }
        get(proxy, "unknown." + DOMAIN, "/");
        log.info("class archive training done");
    }

    @FunctionalInterface
    private interface Exchange {
        String send() throws IOException;
    }

    private static void await(String what, Exchange exchange, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (done.test(exchange.send())) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(what + ": not within " + STEP);
    }

    /** One GET on a connection of its own; the whole response, head and body. */
    private static String get(InetSocketAddress to, String host, String path) throws IOException {
        try (Socket s = new Socket(to.getAddress(), to.getPort())) {
            s.setSoTimeout((int) STEP.toMillis());
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
