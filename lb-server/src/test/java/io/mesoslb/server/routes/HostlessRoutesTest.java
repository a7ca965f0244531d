package io.mesoslb.server.routes;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.RouteSpec;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.ServicePort;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.server.testing.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HostlessRoutesTest {
    @RegisterExtension
    final LogCapture logs = LogCapture.of(HostlessRoutes.class.getName(), Level.INFO);

    private static App app(String id, RouteSpec spec, int tasks) {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            backends.add(new Backend("10.0.0." + (i + 1), 31_000 + i, id.substring(1) + "." + i, id));
        }
        return new App(id, spec, backends);
    }

    private static App app(String id, int tasks) {
        return app(id, RouteSpec.DEFAULT, tasks);
    }

    private List<String> warnings() {
        return logs.lines().stream().filter(l -> l.contains(" WARN ")).map(l -> l.substring(l.indexOf(" WARN ") + 6))
                .toList();
    }

    @Test
    void withoutADomainAppsWithoutAVhostAreWarnedAboutOncePerChangeAndListed() {
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming(null));
        holder.update(List.of(app("/a", 1), app("/b", 1), app("/named", RouteSpec.forHosts("named.example.com"), 1),
                app("/db", RouteSpec.DEFAULT.withServicePort(ServicePort.of(10001, ServicePort.Mode.TCP))
                        .withoutHostRoute(), 1)));
        HostlessRoutes hostless = HostlessRoutes.watch(holder, null);

        assertThat(hostless.snapshot()).isEqualTo(new HostlessRoutes.Snapshot(null, List.of("/a", "/b")));
        assertThat(warnings()).singleElement().satisfies(w -> assertThat(w)
                .startsWith("2 apps no request reaches by Host: no domain is set and they have no vhost label (/a, /b)")
                .contains("set domain or give them a vhost label"));

        // Tasks come and go: the same apps, no new warning.
        holder.update(List.of(app("/a", 3), app("/b", 2), app("/named", RouteSpec.forHosts("named.example.com"), 1)));
        assertThat(warnings()).hasSize(1);

        holder.updateGroups(Map.of("/c", List.of(app("/c", 1))));
        assertThat(hostless.snapshot().appIds()).containsExactly("/a", "/b", "/c");
        assertThat(warnings()).hasSize(2);

        holder.update(List.of(app("/a", RouteSpec.forHosts("a.example.com"), 1)));
        assertThat(hostless.snapshot().appIds()).isEmpty();
        assertThat(warnings()).hasSize(2);
        assertThat(logs.messages()).last().isEqualTo("every app has a host name again");
    }

    @Test
    void aLongListIsNamedInPartAndCountedWithADomainTheReasonNamesIt() {
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
        HostlessRoutes hostless = HostlessRoutes.watch(holder, "example.com");
        List<App> apps = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            apps.add(app("/bad app " + i, 1));
        }
        apps.add(app("/good", 1));
        holder.update(apps);

        assertThat(hostless.snapshot().appIds()).hasSize(7).doesNotContain("/good");
        assertThat(warnings()).singleElement().isEqualTo("7 apps no request reaches by Host: they have no vhost label"
                + " and their ids make no valid host name under example.com (/bad app 0, /bad app 1, /bad app 2,"
                + " /bad app 3, /bad app 4 and 2 more); set domain or give them a vhost label (a service port or the"
                + " app-id port still reaches them; all are listed under unroutable in /routes)");
    }
}
