package io.mesoslb.server.training;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Just enough Marathon on loopback for the training run: {@code /v2/events} (an open event stream),
 * {@code /v2/apps?embed=apps.tasks} and {@code /v2/apps/training?embed=app.tasks} for one app whose tasks are
 * this stand-in's own two listening sockets, which answer any other path with {@code 200 trained}. One thread
 * per connection, plain sockets: nothing here is measured, and it loads next to nothing the balancer does not.
 */
final class TrainingMarathon implements AutoCloseable {
    static final String APP_ID = "/training";
    static final String BODY = "trained";
    private static final Logger log = LoggerFactory.getLogger(TrainingMarathon.class);
    private static final String VERSION = "2026-01-01T00:00:00.000Z";

    private final ServerSocket marathon;
    private final ServerSocket secondTask;
    /**
     * Holds the app's service port number until the balancer listens there: bound, never listening, with
     * {@code SO_REUSEADDR}, as the balancer's listener binds, so that Linux lets the two share the port while no
     * bind to port 0 and no outgoing connection is given it. A number probed free and released could be taken.
     */
    private final Socket servicePort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<OutputStream> streams = new CopyOnWriteArrayList<>();
    private volatile int tasks = 1;
    private volatile boolean closed;

    private TrainingMarathon(ServerSocket marathon, ServerSocket secondTask, Socket servicePort) {
        this.marathon = marathon;
        this.secondTask = secondTask;
        this.servicePort = servicePort;
    }

    /** Listening on two ephemeral loopback ports; the app claims a third, held for the balancer, as its service port. */
    static TrainingMarathon start() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocket first = new ServerSocket(0, 50, loopback);
        ServerSocket second = new ServerSocket(0, 50, loopback);
        Socket servicePort = new Socket();
        servicePort.setReuseAddress(true);
        servicePort.bind(new InetSocketAddress(loopback, 0));
        TrainingMarathon m = new TrainingMarathon(first, second, servicePort);
        m.acceptOn(first);
        m.acceptOn(second);
        return m;
    }

    String url() {
        return "http://" + address(marathon);
    }

    /** Marathon starts the app's second task: its {@code TASK_RUNNING} goes to every open event stream. */
    void startSecondTask() throws IOException {
        tasks = 2;
        String event = "event: status_update_event\ndata: {\"eventType\":\"status_update_event\",\"timestamp\":\""
                + VERSION + "\",\"slaveId\":\"training-agent\",\"taskId\":\"" + taskId(2)
                + "\",\"taskStatus\":\"TASK_RUNNING\",\"message\":\"\",\"appId\":\"" + APP_ID
                + "\",\"host\":\"127.0.0.1\",\"ipAddresses\":[{\"ipAddress\":\"127.0.0.1\",\"protocol\":\"IPv4\"}],"
                + "\"ports\":[" + secondTask.getLocalPort() + "],\"version\":\"" + VERSION + "\"}\n\n";
        for (OutputStream out : streams) {
            synchronized (out) {
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    static String taskId(int n) {
        return "training.task-" + n;
    }

    private void acceptOn(ServerSocket server) {
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    Thread c = new Thread(() -> serve(s), "training-marathon-connection");
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    if (!closed) {
                        log.warn("training Marathon stopped accepting", e);
                    }
                    return;
                }
            }
        }, "training-marathon-accept");
        t.setDaemon(true);
        t.start();
    }

    /** HTTP/1.1 GETs in turn on one connection, until the client closes it. */
    private void serve(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                String[] requestLine = line.split(" ");
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    // headers: none matter here
                }
                String path = requestLine.length > 1 ? requestLine[1] : "/";
                if (path.startsWith("/v2/events")) {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    streams.add(out);
                } else if (path.startsWith("/v2/apps" + APP_ID)) {
                    respond(out, "application/json", "{\"app\":" + app() + "}");
                } else if (path.startsWith("/v2/apps")) {
                    respond(out, "application/json", "{\"apps\":[" + app() + "]}");
                } else {
                    respond(out, "text/plain", BODY);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                log.debug("training Marathon connection ended", e);
            }
        }
    }

    private static void respond(OutputStream out, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.write(String.format(Locale.ROOT, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
                type, b.length).getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    private String app() {
        StringBuilder tasksJson = new StringBuilder();
        for (int n = 1; n <= tasks; n++) {
            int port = (n == 1 ? marathon : secondTask).getLocalPort();
            tasksJson.append(n > 1 ? "," : "").append("{\"id\":\"").append(taskId(n)).append("\",\"appId\":\"")
                    .append(APP_ID).append("\",\"host\":\"127.0.0.1\",\"ipAddresses\":[{\"ipAddress\":\"127.0.0.1\","
                            + "\"protocol\":\"IPv4\"}],\"ports\":[").append(port)
                    .append("],\"state\":\"TASK_RUNNING\",\"stagedAt\":\"").append(VERSION).append("\",\"startedAt\":\"")
                    .append(VERSION).append("\",\"version\":\"").append(VERSION)
                    .append("\",\"slaveId\":\"training-agent\"}");
        }
        return "{\"id\":\"" + APP_ID + "\",\"instances\":" + tasks + ",\"labels\":{},\"healthChecks\":[],"
                + "\"networks\":[{\"mode\":\"host\"}],\"portDefinitions\":[{\"port\":" + servicePort.getLocalPort()
                + ",\"protocol\":\"tcp\",\"name\":\"http\",\"labels\":{}}],\"version\":\"" + VERSION
                + "\",\"tasks\":[" + tasksJson + "]}";
    }

    private static String address(ServerSocket s) {
        InetSocketAddress a = (InetSocketAddress) s.getLocalSocketAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        marathon.close();
        secondTask.close();
        servicePort.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
