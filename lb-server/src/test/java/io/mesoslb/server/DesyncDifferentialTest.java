package io.mesoslb.server;

import io.mesoslb.server.smuggling.DesyncCorpus;
import io.mesoslb.server.smuggling.DesyncProbe;
import io.mesoslb.server.smuggling.PeerProxy;
import io.mesoslb.server.smuggling.RecordingOrigin;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mesoslb.core.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smuggling corpus through mesos-lb, nginx and HAProxy side by side, each in front of its own
 * recording origin, with the verdicts written as a table to {@code target/desync-differential.txt}
 * ({@code benchmarks/security/desync-differential.sh} runs just this and prints it). It fails if
 * mesos-lb desyncs its origin, or forwards a vector that both peers refuse.
 *
 * <p>Runs where Debian's nginx and haproxy are installed; skipped elsewhere, except under CI
 * ({@code CI=true}), where {@code .ci/run} installs them and a missing one fails the build.
 */
class DesyncDifferentialTest {
    private static final Logger log = LoggerFactory.getLogger(DesyncDifferentialTest.class);
    private static final String HOST = "www." + ProxyFixture.DOMAIN;
    static final Path REPORT = Path.of("target", "desync-differential.txt");

    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void mesosLbForwardsNothingBothPeersRefuseAndDesyncsNothing() throws Exception {
        requirePeers();
        RecordingOrigin mesosOrigin = closer.use(new RecordingOrigin());
        RecordingOrigin nginxOrigin = closer.use(new RecordingOrigin());
        RecordingOrigin haproxyOrigin = closer.use(new RecordingOrigin());
        ProxyFixture mesos = closer.use(new ProxyFixture(c -> c.workerThreads(1).responseTimeout("2s")
                .requestHeaderTimeout("500ms")))
                .app("/www", new Backend("127.0.0.1", mesosOrigin.port(), "www.recording", "/www"));
        PeerProxy nginx = closer.use(PeerProxy.nginx(nginxOrigin.port()));
        PeerProxy haproxy = closer.use(PeerProxy.haproxy(haproxyOrigin.port()));
        DesyncProbe[] probes = {
            new DesyncProbe(mesos.port(), HOST, mesosOrigin, 3_000),
            new DesyncProbe(nginx.port(), HOST, nginxOrigin, 3_000),
            new DesyncProbe(haproxy.port(), HOST, haproxyOrigin, 3_000),
        };

        List<DesyncCorpus.Vector> corpus = DesyncCorpus.vectors(HOST);
        StringBuilder table = new StringBuilder(String.format("%-4s %-58s %-16s %-16s %-16s%n",
                "#", "vector", "mesos-lb", "nginx 1.22", "haproxy 2.6"));
        List<String> failures = new ArrayList<>();
        int[] refused = new int[3];
        int[] desynced = new int[3];
        for (int i = 0; i < corpus.size(); i++) {
            DesyncCorpus.Vector v = corpus.get(i);
            DesyncProbe.Outcome[] o = new DesyncProbe.Outcome[3];
            for (int p = 0; p < 3; p++) {
                o[p] = probes[p].run(i, v);
                refused[p] += o[p].refused() ? 1 : 0;
                desynced[p] += o[p].desync() ? 1 : 0;
            }
            String name = v.name().length() > 58 ? v.name().substring(0, 55) + "..." : v.name();
            table.append(String.format("%-4d %-58s %-16s %-16s %-16s%n", i, name,
                    o[0].verdict(), o[1].verdict(), o[2].verdict()));
            if (o[0].desync()) {
                failures.add(v.name() + ": mesos-lb " + o[0]);
            }
            if (o[0].forwarded() && o[1].refused() && o[2].refused()) {
                failures.add(v.name() + ": mesos-lb forwarded what nginx (" + o[1].verdict() + ") and HAProxy ("
                        + o[2].verdict() + ") refuse");
            }
        }
        table.append(String.format("%nrefused (error, nothing forwarded): mesos-lb %d, nginx %d, haproxy %d of %d%n",
                refused[0], refused[1], refused[2], corpus.size()));
        table.append(String.format("desynced the recording origin:      mesos-lb %d, nginx %d, haproxy %d%n",
                desynced[0], desynced[1], desynced[2]));
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, table);
        log.info("smuggling corpus through three proxies (also in {}):\n{}", REPORT.toAbsolutePath(), table);
        assertThat(failures).isEmpty();
    }

    private static void requirePeers() {
        boolean present = Files.isExecutable(PeerProxy.NGINX) && Files.isExecutable(PeerProxy.HAPROXY);
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(PeerProxy.NGINX + " or " + PeerProxy.HAPROXY + " is missing, but CI=true requires the differential run:"
                    + " install Debian's nginx and haproxy");
        }
        assumeTrue(present, "nginx or haproxy is not installed; skipping the differential run outside CI");
    }
}
