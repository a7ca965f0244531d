package io.mesoslb.discovery.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code BACKEND_WEIGHT}: which app keeps a host several claim, read per port like the other labels. */
class BackendWeightLabelTest {
    private final PortRoutes labels = new PortRoutes(false, new LabelProblems());

    private List<Integer> weights(Map<String, String> l) {
        return labels.routes("/app", l, 0).stream().map(r -> r.spec().weight()).toList();
    }

    @Test
    void weightIsReadPerPortOursElseMarathonLbsAndDefaultsToZero() {
        assertThat(weights(Map.of())).containsExactly(0);
        assertThat(weights(Map.of("HAPROXY_0_BACKEND_WEIGHT", " 7 "))).containsExactly(7);
        assertThat(weights(Map.of("MESOS_LB_BACKEND_WEIGHT", "-2", "HAPROXY_0_BACKEND_WEIGHT", "7"))).containsExactly(-2);
        assertThat(weights(Map.of("HAPROXY_1_VHOST", "admin.example.net", "HAPROXY_1_BACKEND_WEIGHT", "3",
                "HAPROXY_0_BACKEND_WEIGHT", "1"))).containsExactly(1, 3);
        assertThat(weights(Map.of("HAPROXY_0_BACKEND_WEIGHT", "heavy"))).as("unreadable: a warning, 0").containsExactly(0);
    }
}
