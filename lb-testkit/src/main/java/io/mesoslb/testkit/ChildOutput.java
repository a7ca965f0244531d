package io.mesoslb.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a balancer run as a child process prints, read line by line on a daemon thread of its own (so the child
 * never waits on a full pipe), and the loopback ports its log says its listeners bound. A child started with
 * {@code --listen-port=0} (and {@code --admin-port=0}) is asked where it listens this way, instead of being told a
 * port probed as free beforehand, which another process may take first.
 */
public final class ChildOutput {
    private static final Pattern PROXY_PORT = Pattern.compile("mesos-lb proxy listening on /127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN_PORT = Pattern.compile("admin server listening on /127\\.0\\.0\\.1:(\\d+)");

    private final Process child;
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger proxyPort = new AtomicInteger();
    private final AtomicInteger adminPort = new AtomicInteger();

    private ChildOutput(Process child) {
        this.child = child;
    }

    /** Starts reading {@code child}'s standard output (its errors too, when redirected there) until it ends. */
    public static ChildOutput follow(Process child) {
        ChildOutput out = new ChildOutput(child);
        Thread reader = new Thread(out::read, "child-output-" + child.pid());
        reader.setDaemon(true);
        reader.start();
        return out;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                capture(PROXY_PORT, line, proxyPort);
                capture(ADMIN_PORT, line, adminPort);
            }
        } catch (IOException e) {
            lines.add("(output ended: " + e + ")");
        }
    }

    private static void capture(Pattern p, String line, AtomicInteger into) {
        Matcher m = p.matcher(line);
        if (m.find()) {
            into.set(Integer.parseInt(m.group(1)));
        }
    }

    /** The proxy listener's port on 127.0.0.1 once logged, else 0. */
    public int proxyPort() {
        return proxyPort.get();
    }

    /** The admin server's port on 127.0.0.1 once logged, else 0. */
    public int adminPort() {
        return adminPort.get();
    }

    /** Everything printed so far, one line each. */
    public String text() {
        return String.join("\n", lines);
    }
}
