package io.mesoslb.bench;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import java.util.ArrayList;
import java.util.List;

/** Synthetic Marathon-like apps: {@code /group<g>/app<i>} with {@code tasks} tasks each. */
final class BenchApps {
    static final String DOMAIN = "example.com";

    private BenchApps() {
    }

    static List<App> apps(int count, int tasks) {
        List<App> apps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            apps.add(app(i, tasks));
        }
        return apps;
    }

    static App app(int i, int tasks) {
        String id = appId(i);
        List<Backend> backends = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            backends.add(backend(id, i, t));
        }
        return new App(id, backends);
    }

    static Backend backend(String appId, int app, int task) {
        int n = app * 16 + task;
        String host = "10." + (n >>> 16 & 0xff) + "." + (n >>> 8 & 0xff) + "." + (n & 0xff);
        return new Backend(host, 31_000 + task, appId.substring(1).replace('/', '_') + ".task-" + task, appId);
    }

    static String appId(int i) {
        return "/group" + (i % 10) + "/app" + i;
    }

    /** The host {@link VhostNaming} derives for app {@code i}: {@code app<i>.group<g>.example.com}. */
    static String host(int i) {
        return "app" + i + ".group" + (i % 10) + "." + DOMAIN;
    }

    static RouteTableHolder holder(List<App> apps) {
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming(DOMAIN));
        holder.update(apps);
        return holder;
    }

    /** One app with {@code backends} backends, as the proxy would see it. */
    static Route route(int backends) {
        RouteTableHolder holder = holder(List.of(app(0, backends)));
        return holder.current().routeForApp(appId(0));
    }
}
