package io.mesoslb.server.smuggling;

import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * nginx or HAProxy from Debian's packages, run as a plain reverse proxy on loopback in front of one
 * origin, with a configuration written to a temporary directory: the reference a differential
 * run compares mesos-lb with. Both keep backend connections alive, as mesos-lb does, so that a
 * desync could poison a pooled connection through them too.
 */
public final class PeerProxy implements AutoCloseable {
    public static final Path NGINX = Path.of(System.getenv().getOrDefault("NGINX_BIN", "/usr/sbin/nginx"));
    public static final Path HAPROXY = Path.of(System.getenv().getOrDefault("HAPROXY_BIN", "/usr/sbin/haproxy"));

    private final Process process;
    /** Held for the peer's listener while it runs: its configuration needs a number, not port 0. */
    private final LoopbackPort port;
    private final Path dir;

    private PeerProxy(List<String> command, LoopbackPort port, Path dir) throws IOException {
        this.port = port;
        this.dir = dir;
        this.process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
        try {
            Await.until(Duration.ofSeconds(10), () -> !process.isAlive() || accepts(port.port()),
                    "the peer proxy to listen");
        } catch (AssertionError e) {
            process.destroyForcibly();
            port.close();
            throw e;
        }
        if (!process.isAlive()) {
            port.close();
            throw new IOException(command.get(0) + " exited " + process.exitValue() + ": "
                    + Files.readString(dir.resolve("out.log")));
        }
    }

    public static PeerProxy nginx(int originPort) throws IOException {
        Path dir = Files.createTempDirectory("mesoslb-nginx");
        LoopbackPort port = LoopbackPort.forListener();
        // master_process off: one process, no privilege drop (the temp paths stay ours), no orphans.
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    upstream origin { server 127.0.0.1:%2$d; keepalive 8; }
                    server {
                        listen 127.0.0.1:%3$d;
                        location / {
                            proxy_pass http://origin;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Host $http_host;
                            proxy_read_timeout 5s;
                        }
                    }
                }
                """.formatted(dir, originPort, port.port()));
        return new PeerProxy(List.of(NGINX.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString()),
                port, dir);
    }

    public static PeerProxy haproxy(int originPort) throws IOException {
        Path dir = Files.createTempDirectory("mesoslb-haproxy");
        LoopbackPort port = LoopbackPort.forListener();
        Files.writeString(dir.resolve("haproxy.cfg"), """
                global
                    maxconn 256
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 5s
                    timeout server 5s
                    timeout http-request 2s
                frontend fe
                    bind 127.0.0.1:%2$d
                    default_backend be
                backend be
                    server origin 127.0.0.1:%1$d
                """.formatted(originPort, port.port()));
        return new PeerProxy(List.of(HAPROXY.toString(), "-db", "-f", dir.resolve("haproxy.cfg").toString()), port, dir);
    }

    public int port() {
        return port.port();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        port.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
