package io.mesoslb.demo;

import io.mesoslb.testkit.SimTask;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the demo prints on the console: where things run and the commands to try. */
final class DemoBanner {
    private static final Logger BANNER = LoggerFactory.getLogger("mesos-lb.demo");

    private DemoBanner() {
    }

    /**
     * @param proxy the proxy's bound address
     * @param admin the admin plane's bound address, or null when it is not running
     */
    static String text(Demo demo, InetSocketAddress proxy, InetSocketAddress admin) {
        String marathon = demo.marathon().uri().toString();
        String app = Demo.APP.substring(1);
        String host = app + "." + Demo.DOMAIN;
        String proxyUrl = "http://" + hostOf(proxy) + ":" + proxy.getPort();
        List<SimTask> tasks = demo.marathon().tasks(Demo.APP);
        // Real ids, so the lines can be pasted as they are; the second task is used once the first is killed.
        String killed = tasks.isEmpty() ? "<task id>" : tasks.get(0).id();
        String sick = tasks.size() < 2 ? "<task id>" : tasks.get(1).id();
        StringBuilder b = new StringBuilder();
        line(b, "");
        line(b, "mesos-lb demo");
        line(b, "  simulated Marathon  " + marathon + "   app " + Demo.APP + ", " + Demo.INSTANCES
                + " tasks with health checks");
        line(b, "  proxy               " + proxyUrl + "   " + host + " -> " + Demo.APP);
        if (admin != null) {
            line(b, "  admin               http://" + hostOf(admin) + ":" + admin.getPort() + "/");
        }
        line(b, "");
        line(b, "Try:");
        line(b, "  curl -H 'Host: " + host + "' " + proxyUrl + "/");
        line(b, "      answers with the task id; repeat to see the round robin");
        line(b, "  curl -X PUT -H 'Content-Type: application/json' -d '{\"instances\":5}' " + marathon + "/v2/apps/"
                + app);
        line(b, "      scale to 5 tasks: the new ones get traffic once their health check passes");
        line(b, "  curl " + marathon + "/v2/apps/" + app + "/tasks");
        line(b, "      the task ids");
        line(b, "  curl -X DELETE " + marathon + "/v2/apps/" + app + "/tasks/" + killed);
        line(b, "      kill a task: it leaves the rotation at once, then Marathon starts a replacement");
        line(b, "  curl -X PUT -d '{\"alive\":false}' " + marathon + "/_sim/tasks/" + sick + "/health");
        line(b, "      fail a health check: the task leaves the rotation until you send {\"alive\":true}");
        int echoPort = demo.marathon().app(Demo.TCP_APP).servicePort();
        line(b, "  printf 'hello\\n' | nc -q 1 " + hostOf(proxy) + " " + echoPort);
        line(b, "      app " + Demo.TCP_APP + " (2 TCP echo tasks) through the balancer on its service port; every app");
        line(b, "      port is also served on its service port (" + Demo.APP + ": http on "
                + demo.marathon().app(Demo.APP).servicePort() + ")");
        line(b, "");
        line(b, "Ctrl-C stops the demo.");
        return b.toString();
    }

    /** Logs the banner on its own logger, which Logback writes as it is, without a log-line prefix. */
    static void log(Demo demo, InetSocketAddress proxy, InetSocketAddress admin) {
        BANNER.info(text(demo, proxy, admin).stripTrailing());
    }

    private static String hostOf(InetSocketAddress address) {
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getHostString();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static void line(StringBuilder b, String s) {
        b.append(s).append(System.lineSeparator());
    }
}
