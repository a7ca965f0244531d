package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.CidrList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fail closed across the colours of a deployment group: the older colour's labels lead, but a task
 * of a colour that restricts access (or keeps a port off the table) is never served without it.
 */
class DeploymentGroupProtectionTest {
    private static final String AUTH = "realm:admin:$6$rounds=5000$salt$hash";

    private final RoutingPolicy policy = new RoutingPolicy(new HealthVerdicts());

    @Test
    void aNewerColoursAuthIsKeptWhenTheOlderHasNone() {
        List<App> apps = blueThenGreenWith("\"HAPROXY_0_AUTH\":\"" + AUTH.replace("$", "\\u0024") + "\"");

        assertThat(apps).hasSize(1);
        assertThat(apps.get(0).spec().options().auth()).isNotNull();
        assertThat(apps.get(0).spec().options().auth().user()).isEqualTo("admin");
    }

    @Test
    void aNewerColoursAclIsKeptWhenTheOlderHasNone() {
        List<App> apps = blueThenGreenWith("\"HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL\":\"10.0.0.0/8\"");

        assertThat(apps).hasSize(1);
        assertThat(apps.get(0).spec().options().allowFrom()).isEqualTo(CidrList.parse("10.0.0.0/8"));
    }

    @Test
    void coloursThatRestrictAccessDifferentlyAreNotRouted() {
        List<App> apps = policy.apps(parse(
                colour("/web-blue", "2024-01-01T00:00:00",
                        "\"HAPROXY_0_VHOST\":\"web.example.com\",\"HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL\":\"192.168.0.0/16\"", "b"),
                colour("/web-green", "2024-02-01T00:00:00",
                        "\"HAPROXY_0_VHOST\":\"web.example.com\",\"HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL\":\"10.0.0.0/8\"", "g")));

        assertThat(apps).isEmpty();
        assertThat(policy.labelProblems()).containsKey("/web");
    }

    @Test
    void anOlderAppJoiningAGroupCannotStripTheProtectedColoursAuth() {
        // An app anyone can deploy names the protected app's group with an older start: it would lead.
        List<App> apps = policy.apps(parse(
                colour("/intruder", "2000-01-01T00:00:00", "\"HAPROXY_0_VHOST\":\"web.example.com\"", "i"),
                colour("/web-blue", "2024-01-01T00:00:00",
                        "\"HAPROXY_0_VHOST\":\"web.example.com\",\"HAPROXY_0_AUTH\":\"" + AUTH.replace("$", "\\u0024") + "\"", "b")));

        assertThat(apps).allSatisfy(a -> assertThat(a.spec().options().auth()).isNotNull());
    }

    @Test
    void coloursSpeakingDifferentBackendProtocolsAreNotRouted() {
        // One colour's tasks would get requests in a protocol they do not speak.
        List<App> apps = blueThenGreenWith("\"MESOS_LB_PROTO\":\"h2c\"");

        assertThat(apps).isEmpty();
        assertThat(policy.labelProblems().get("/web")).anySatisfy(m -> assertThat(m).contains("backend protocols"));
    }

    @Test
    void coloursInDifferentBalancerGroupsAreNotRouted() {
        List<App> apps = policy.apps(parse(
                colour("/web-blue", "2024-01-01T00:00:00", "\"HAPROXY_GROUP\":\"external\"", "b"),
                colour("/web-green", "2024-02-01T00:00:00", "\"HAPROXY_GROUP\":\"internal\"", "g")));

        assertThat(apps).isEmpty();
    }

    @Test
    void aColourThatKeepsItsPortOffTheTableServesNothingOnIt() {
        List<App> apps = policy.apps(parse(
                colour("/web-blue", "2024-01-01T00:00:00", "\"HAPROXY_0_VHOST\":\"web.example.com\"", "b"),
                colour("/web-green", "2024-02-01T00:00:00",
                        "\"HAPROXY_0_VHOST\":\"web.example.com\",\"HAPROXY_0_AUTH\":\"realm:admin:plain\"", "g")));

        assertThat(apps).hasSize(1);
        assertThat(apps.get(0).backends()).extracting(Backend::taskId).doesNotContain("g.1");
    }

    /** /web-blue with only a vhost label, then the newer /web-green with the same vhost and {@code greenLabel}. */
    private List<App> blueThenGreenWith(String greenLabel) {
        return policy.apps(parse(
                colour("/web-blue", "2024-01-01T00:00:00", "\"HAPROXY_0_VHOST\":\"web.example.com\"", "b"),
                colour("/web-green", "2024-02-01T00:00:00", "\"HAPROXY_0_VHOST\":\"web.example.com\"," + greenLabel, "g")));
    }

    private static String colour(String id, String startedAt, String labels, String task) {
        return """
                {"id":"%s","instances":1,"labels":{"HAPROXY_DEPLOYMENT_GROUP":"web","HAPROXY_DEPLOYMENT_STARTED_AT":"%s",
                 "HAPROXY_DEPLOYMENT_TARGET_INSTANCES":"1",%s},
                 "tasks":[{"id":"%s.1","host":"10.0.0.%d","ports":[31000],"state":"TASK_RUNNING"}]}"""
                .formatted(id, startedAt, labels, task, task.charAt(0) % 200);
    }

    private static List<MarathonApp> parse(String... appJson) {
        try {
            return MarathonJson.parseApps(("[" + String.join(",", appJson) + "]").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
