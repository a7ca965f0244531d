package io.mesoslb.bench;

import io.mesoslb.core.App;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.server.observe.ProxyMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long the first publication of a big cluster holds the publishing thread with the proxy's meters
 * listening ({@link ProxyMetrics}, as in the balancer), in a fresh JVM: the first sync is cold, which
 * is what an operator's start sees, so this is a plain {@code main}, one publication per JVM, not JMH.
 * {@code metrics=false} times the publication alone.
 *
 * <p>Run: {@code java -XX:+UseParallelGC -Xms512m -Xmx512m -cp benchmarks/target/benchmarks.jar
 * io.mesoslb.bench.FirstSyncMeters [apps=10000] [metrics=true]}.
 */
public final class FirstSyncMeters {
    private static final Logger REPORT = LoggerFactory.getLogger("mesos-lb.bench.first-sync");

    private FirstSyncMeters() {
    }

    public static void main(String[] args) {
        int apps = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        boolean metered = args.length <= 1 || Boolean.parseBoolean(args[1]);
        List<App> list = BenchApps.apps(apps, 10);
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming(BenchApps.DOMAIN));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProxyMetrics metrics = metered ? new ProxyMetrics(registry, holder, () -> null) : null;
        long start = System.nanoTime();
        holder.update(list);
        long took = System.nanoTime() - start;
        REPORT.info(String.format("first publication of %d apps x 10 tasks, metrics %s: %.0f ms, %d meters", apps,
                metered, took / 1e6, registry.getMeters().size()));
        if (metrics != null) {
            metrics.close();
        }
    }
}
