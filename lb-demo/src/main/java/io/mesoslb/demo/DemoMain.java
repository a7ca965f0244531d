package io.mesoslb.demo;

import io.mesoslb.server.CommandLine;
import io.mesoslb.server.ConfigException;
import io.mesoslb.server.Main;

/** Entry point of the demo jar: the simulated Marathon, then mesos-lb as {@link Main} runs it. */
public final class DemoMain {
    static final String USAGE = String.join("\n",
            "",
            "Demo (this jar): a simulated Marathon with app /www (3 tasks), the proxy on 127.0.0.1:8080 for",
            "www.mesos.local; prints what to try. The flags above apply on top of the demo's defaults.",
            "  --" + Demo.MARATHON_PORT_FLAG + " <port>             port of the demo's Marathon (8081, or the next free one)");

    private DemoMain() {
    }

    public static void main(String[] args) {
        Main.prepare();
        Demo demo;
        try {
            CommandLine cmd = CommandLine.parse(args);
            if (Main.answeredHelpOrVersion(cmd, USAGE)) {
                return;
            }
            demo = Demo.start(cmd);
        } catch (ConfigException e) {
            Main.exitOnConfigError(e, null);
            return;
        }
        Main.run(demo.config(), demo, server -> DemoBanner.log(demo, server.localAddress(), server.adminAddress()));
    }
}
