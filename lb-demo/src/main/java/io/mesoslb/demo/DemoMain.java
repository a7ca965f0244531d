package io.mesoslb.demo;

import io.mesoslb.server.Main;
import io.mesoslb.server.config.ConfigException;
import io.mesoslb.server.config.ConfigLoader;

/** Entry point of the demo jar: the simulated Marathon, then mesos-lb as {@link Main} runs it. */
public final class DemoMain {
    private DemoMain() {
    }

    public static void main(String[] args) {
        Main.prepare();
        Demo.Options options = new Demo.Options();
        Demo demo;
        try {
            ConfigLoader.Request request = ConfigLoader.load(args, Demo.DEFAULTS, options);
            if (Main.answeredHelpOrVersion(request, new Demo.Options())) {
                return;
            }
            demo = Demo.start(request.config(), args, options.marathonPort);
        } catch (ConfigException e) {
            Main.exitOnConfigError(e, null);
            return;
        }
        Main.run(demo.config(), demo, server -> DemoBanner.log(demo, server.localAddress(), server.adminAddress()));
    }
}
