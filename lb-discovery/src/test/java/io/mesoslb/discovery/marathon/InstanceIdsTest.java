package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InstanceIdsTest {

    @ParameterizedTest
    @CsvSource({
            // up to 1.3: events name the task itself
            "my-app_0-1396592784349, my-app_0-1396592784349, true",
            // task launched before 1.4 and its instance
            "nginx-green.01da9a15-68a7-11e7-a229-e6a514ca0c21, nginx-green.marathon-01da9a15-68a7-11e7-a229-e6a514ca0c21, true",
            "nginx-green.01da9a15-68a7-11e7-a229-e6a514ca0c21, nginx-green.marathon-01da9a15-68a7-11e7-a229-e6a514ca0c22, false",
            "nginx-blue.01da9a15-68a7-11e7-a229-e6a514ca0c21, nginx-green.marathon-01da9a15-68a7-11e7-a229-e6a514ca0c21, false",
            // 1.4+ task ids extend the instance id
            "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c._app.1, my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c, true",
            "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c._app, my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c, true",
            "my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c0._app, my-app.instance-c7c311a4-b669-11e6-a48f-0ea4f4b1778c, false",
            "other.instance-1._app.1, my-app.instance-1, false",
    })
    void relatesTaskIdsToInstanceIds(String taskId, String instanceId, boolean same) {
        assertThat(InstanceIds.sameInstance(taskId, instanceId)).isEqualTo(same);
    }
}
