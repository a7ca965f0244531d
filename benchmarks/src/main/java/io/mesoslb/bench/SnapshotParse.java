package io.mesoslb.bench;

import com.sun.management.ThreadMXBean;
import io.mesoslb.discovery.marathon.MarathonJson;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long {@link MarathonJson#streamApps} (the /v2/apps snapshot and the routes file) takes on a snapshot file, and
 * what it allocates, each of {@code n} parses in turn in one fresh JVM: the first is the cold one a start pays
 * (interpreter and JIT included), the later ones what a resync pays. Wall time includes the collections the
 * garbage causes; CPU and allocation are the parsing thread's. Not JMH: the cold parse is the point, and the
 * same class compiles against an older build's jar to compare. Render the file with
 * {@code StartFromSnapshot -Dsnapshot=<file>}.
 *
 * <p>Run: {@code java -XX:+UseParallelGC -Xms512m -Xmx512m -cp benchmarks/target/benchmarks.jar
 * io.mesoslb.bench.SnapshotParse <file> [n=8]}.
 */
public final class SnapshotParse {
    private static final Logger REPORT = LoggerFactory.getLogger("mesos-lb.bench.snapshot-parse");

    private SnapshotParse() {
    }

    public static void main(String[] args) throws Exception {
        byte[] json = Files.readAllBytes(Path.of(args[0]));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        ThreadMXBean thread = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        StringBuilder line = new StringBuilder("parse wall / CPU ms / MB allocated:");
        for (int i = 0; i < n; i++) {
            long allocated = thread.getCurrentThreadAllocatedBytes();
            long cpu = thread.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            int apps = MarathonJson.streamApps(new ByteArrayInputStream(json)).size();
            line.append(String.format(" %d apps %d / %d / %d;", apps, (System.nanoTime() - start) / 1_000_000,
                    (thread.getCurrentThreadCpuTime() - cpu) / 1_000_000,
                    (thread.getCurrentThreadAllocatedBytes() - allocated) >> 20));
        }
        REPORT.info(line.toString());
    }
}
