package io.mesoslb.server;

import io.mesoslb.server.observe.AccessLog;
import io.mesoslb.server.routes.HostlessRoutes;
import io.mesoslb.server.testing.LogCapture;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin listener of a running server shows that server's routes, traffic and build; logging is set up for it. */
class AdminPlaneWiringTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Closer closer = new Closer();
    @RegisterExtension
    final LogCapture hostlessLog = LogCapture.of(HostlessRoutes.class.getName(), Level.WARN);

    private static HttpResponse<String> admin(ProxyFixture proxy, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + proxy.server.adminAddress().getPort() + path);
        return proxy.client.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesStatsVersionAndStatusPageDescribeTheRunningProxy() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("w"));
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.adminPort(0).domain(ProxyFixture.DOMAIN)
                .mesosUrls(List.of("http://10.0.0.5:5050")))).app("/web", origin);
        assertThat(proxy.get("web.test.local", "/").statusCode()).isEqualTo(200);

        JsonNode routes = JSON.readTree(admin(proxy, "/routes").body());
        assertThat(routes.get("apps").findValuesAsText("id")).containsExactly("/_admin/mesos", "/web");
        assertThat(routes.get("apps").get(1).get("vhosts").get(0).asText()).isEqualTo("web.test.local");
        assertThat(routes.get("apps").get(0).get("vhosts").get(0).asText()).isEqualTo("mesos.admin.test.local");
        assertThat(routes.get("apps").get(1).get("backends").get(0).get("port").asInt()).isEqualTo(origin.port());

        JsonNode stats = JSON.readTree(admin(proxy, "/stats.json").body());
        assertThat(stats.at("/requests/apps/~1web/total").asLong()).isEqualTo(1);

        JsonNode version = JSON.readTree(admin(proxy, "/version").body());
        assertThat(version.get("transport").asText()).isEqualTo(proxy.server.transport().name());

        HttpResponse<String> page = admin(proxy, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    }

    @Test
    void appsNoHostLeadsToAreWarnedAboutAndListed() throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("w"));
        ProxyFixture proxy = closer.use(new ProxyFixture(b -> b.adminPort(0).domain(ProxyFixture.DOMAIN)))
                .app("/bad app", origin).app("/web", origin);

        JsonNode routes = JSON.readTree(admin(proxy, "/routes").body());
        assertThat(routes.at("/unroutable/domain").asText()).isEqualTo(ProxyFixture.DOMAIN);
        assertThat(routes.at("/unroutable/apps")).extracting(JsonNode::asText).containsExactly("/bad app");
        assertThat(hostlessLog.messages()).singleElement().satisfies(m -> assertThat(m)
                .startsWith("1 app no request reaches by Host: they have no vhost label and their ids make no valid"
                        + " host name under test.local (/bad app)"));
    }

    @Test
    void theShippedLogbackConfigurationSendsTheAccessLogThroughANonBlockingQueue() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(AdminPlaneWiringTest.class.getResource("/logback.xml"));
        try {
            Logger access = context.getLogger(AccessLog.LOGGER_NAME);
            assertThat(access.isInfoEnabled()).isTrue();
            assertThat(access.isAdditive()).as("access lines stay out of the application log").isFalse();
            AsyncAppender async = (AsyncAppender) access.getAppender("ACCESS");
            assertThat(async.isNeverBlock()).isTrue();
            assertThat(async.getDiscardingThreshold()).isZero();
            assertThat(context.getStatusManager().getCopyOfStatusList())
                    .noneMatch(s -> s.getEffectiveLevel() >= ch.qos.logback.core.status.Status.WARN);
        } finally {
            context.stop();
        }
    }
}
