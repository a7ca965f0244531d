package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mesoslb.testkit.RawStream.Frame;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TaskLifecycleTest extends SimulatorTestBase {
    @Test
    void scalingStartsAndStopsRealBackends() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().killGrace(Duration.ZERO).build());
        sim.createApp("web", 1, Map.of(), false);

        sim.scale("web", 3);

        List<SimTask> tasks = sim.tasks("web");
        assertThat(tasks).hasSize(3).allSatisfy(t -> assertThat(t.state()).isEqualTo("TASK_RUNNING"));
        for (SimTask t : tasks) {
            assertThat(Http.backend(t.host(), t.port()).body()).isEqualTo(t.id());
            assertThat(sim.requestsServedBy(t.id())).isEqualTo(1);
        }

        sim.scale("web", 1);

        Await.until(() -> sim.tasks("web").size() == 1);
        SimTask survivor = sim.tasks("web").get(0);
        assertThat(survivor.id()).as("youngest tasks are killed first").isEqualTo(tasks.get(0).id());
        assertThat(Http.backend(survivor.host(), survivor.port()).body()).isEqualTo(survivor.id());
        for (SimTask gone : tasks.subList(1, 3)) {
            assertRefused(gone);
        }
        assertThat(sim.requestsServedBy(survivor.id())).isEqualTo(2);
    }

    @Test
    void killedTaskKeepsServingDuringTheGraceThenStops() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().killGrace(Duration.ofHours(1)).build());
        sim.createApp("web", 2, Map.of(), false);
        SimTask victim = sim.tasks("web").get(1);
        try (RawStream stream = attach("/v2/events?event_type=status_update_event")) {

            sim.killTask(victim.id());

            JsonNode killing = EventStreamTest.json(stream.nextEvent().data());
            assertThat(killing.path("taskStatus").asText()).isEqualTo("TASK_KILLING");
            assertThat(killing.path("taskId").asText()).isEqualTo(victim.id());
            SimTask listed = sim.tasks("web").stream().filter(t -> t.id().equals(victim.id())).findFirst().orElseThrow();
            assertThat(listed.state()).isEqualTo("TASK_KILLING");
            assertThat(Http.backend(victim.host(), victim.port()).body()).isEqualTo(victim.id());
            assertThat(sim.app("web").instances()).isEqualTo(1);
        }
    }

    @Test
    void aKillGateHoldsTheKilledTaskServingUntilItCompletes() throws Exception {
        CompletableFuture<SimTask> asked = new CompletableFuture<>();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        sim = MarathonSimulator.start(SimulatorOptions.builder().killGrace(Duration.ZERO).killGate(t -> {
            asked.complete(t);
            return drained;
        }).build());
        sim.createApp("web", 2, Map.of(), false);
        SimTask victim = sim.tasks("web").get(0);

        sim.killTask(victim.id());

        assertThat(asked.get(10, TimeUnit.SECONDS).id()).isEqualTo(victim.id());
        assertThat(Http.backend(victim.host(), victim.port()).body()).as("serving past the grace").isEqualTo(victim.id());
        assertThat(sim.tasks("web")).filteredOn(t -> t.id().equals(victim.id())).extracting(SimTask::state)
                .containsExactly("TASK_KILLING");
        drained.complete(null);
        Await.until(() -> sim.tasks("web").stream().noneMatch(t -> t.id().equals(victim.id())));
        assertRefused(victim);
    }

    @Test
    void killEndsWithTaskKilledAndAStoppedBackend() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().killGrace(Duration.ofMillis(30)).build());
        sim.createApp("web", 2, Map.of(), false);
        SimTask victim = sim.tasks("web").get(0);
        try (RawStream stream = attach("/v2/events?event_type=status_update_event")) {

            sim.killTask(victim.id());

            List<Frame> frames = stream.events(2);
            assertThat(frames).extracting(f -> EventStreamTest.json(f.data()).path("taskStatus").asText())
                    .containsExactly("TASK_KILLING", "TASK_KILLED");
            assertRefused(victim);
            assertThat(sim.tasks("web")).extracting(SimTask::id).doesNotContain(victim.id());
        }
    }

    @Test
    void killWithoutScalingIsReplaced() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().killGrace(Duration.ZERO).build());
        sim.createApp("web", 2, Map.of(), false);
        SimTask victim = sim.tasks("web").get(0);

        sim.killTask(victim.id(), false);

        Await.until(() -> sim.tasks("web").stream().noneMatch(t -> t.id().equals(victim.id()))
                && sim.tasks("web").size() == 2);
        assertThat(sim.app("web").instances()).isEqualTo(2);
    }

    @Test
    void replacingATaskAnswersWithTheReplacementOnceItsTaskRunningWasEmitted() throws Exception {
        sim = MarathonSimulator.start(SimulatorOptions.builder().killGrace(Duration.ofMillis(20)).build());
        sim.createApp("web", 1, Map.of(), false);
        sim.createApp("other", 1, Map.of(), false);
        SimTask victim = sim.tasks("web").get(0);
        List<EmittedEvent> running = new CopyOnWriteArrayList<>();
        sim.addEventListener(e -> {
            if (e.json().contains("\"TASK_RUNNING\"")) {
                running.add(e);
            }
        });

        Replacement r = sim.replaceTask(victim.id()).get(10, TimeUnit.SECONDS);

        assertThat(r.killedTaskId()).isEqualTo(victim.id());
        assertThat(sim.tasks("web")).extracting(SimTask::id).containsExactly(r.taskId());
        assertThat(running).hasSize(1);
        assertThat(running.get(0).json()).contains(r.taskId());
        // No stream is open: nothing was written, so the event went out when it was handed over.
        assertThat(r.handedOverNanoTime()).isEqualTo(running.get(0).nanoTime());
        assertThat(r.runningNanoTime()).isEqualTo(r.handedOverNanoTime());
        assertRefused(victim);
        assertThat(sim.tasks("other")).hasSize(1);
    }

    @Test
    void warmTasksHaveAnsweredARequestOfTheirOwnBeforeTheirFirstEventAndCountOnlyOthers() throws Exception {
        sim = MarathonSimulator.start(SimulatorOptions.builder().killGrace(Duration.ZERO).warmTasks(true).build());
        sim.createApp("web", 1, Map.of(), false);
        Map<String, Integer> warmUpsAtFirstEvent = new ConcurrentHashMap<>();
        sim.addEventListener(e -> {
            if (e.eventType().equals("status_update_event")) {
                String taskId = Http.json(e.json()).path("taskId").asText();
                // Listeners run on the control thread, which alone touches the simulator's state.
                warmUpsAtFirstEvent.putIfAbsent(taskId, sim.cluster().marathon().task(taskId).backend.warmUps());
            }
        });

        Replacement r = sim.replaceTask(sim.tasks("web").get(0).id()).get(10, TimeUnit.SECONDS);

        assertThat(warmUpsAtFirstEvent).containsEntry(r.taskId(), 1);
        assertThat(sim.requestsServedBy(r.taskId())).isZero();
        SimTask replacement = sim.tasks("web").get(0);
        assertThat(Http.backend(replacement.host(), replacement.port()).body()).isEqualTo(r.taskId());
        assertThat(sim.requestsServedBy(r.taskId())).isEqualTo(1);
    }

    @Test
    void aReplacementWhoseTaskRunningIsNotEmittedFails() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().killGrace(Duration.ZERO).build());
        sim.createApp("web", 1, Map.of(), false);
        sim.setEventsSuppressed(true);

        CompletableFuture<Replacement> r = sim.replaceTask(sim.tasks("web").get(0).id());

        assertThatThrownBy(() -> r.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("events are suppressed");
        assertThatThrownBy(() -> sim.replaceTask("nope")).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void failedTaskIsReplacedAndRecordedAsLastFailure() {
        sim = MarathonSimulator.start();
        sim.createApp("web", 1, Map.of(), false);
        SimTask victim = sim.tasks("web").get(0);

        sim.failTask(victim.id());

        assertRefused(victim);
        List<SimTask> now = sim.tasks("web");
        assertThat(now).hasSize(1);
        assertThat(now.get(0).id()).isNotEqualTo(victim.id());
        JsonNode app = Http.json(Http.get(sim.uri(), "/v2/apps/web")).path("app");
        assertThat(app.path("lastTaskFailure").path("taskId").asText()).isEqualTo(victim.id());
        assertThat(app.path("lastTaskFailure").path("state").asText()).isEqualTo("TASK_FAILED");
    }

    @Test
    void deleteStopsEveryBackend() {
        sim = MarathonSimulator.start();
        sim.createApp("web", 2, Map.of(), false);
        List<SimTask> tasks = sim.tasks("web");

        sim.deleteApp("web");

        tasks.forEach(TaskLifecycleTest::assertRefused);
        assertThat(sim.tasks("web")).isEmpty();
        assertThatThrownBy(() -> sim.app("web")).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void rollingRestartKillsAnOldTaskOnlyAfterANewOneIsHealthy() {
        sim = MarathonSimulator.start(SimulatorOptions.builder().autoHealthy(false).killGrace(Duration.ZERO).build());
        sim.createApp("web", 2, Map.of(), true);
        Set<String> old = sim.tasks("web").stream().map(SimTask::id).collect(Collectors.toSet());
        old.forEach(id -> sim.setHealth(id, true));
        String oldVersion = sim.app("web").version();

        sim.rollingRestart("web");

        List<SimTask> fresh = sim.tasks("web").stream().filter(t -> !old.contains(t.id())).toList();
        assertThat(fresh).hasSize(2).allSatisfy(t -> assertThat(t.version()).isNotEqualTo(oldVersion));
        assertThat(Http.json(Http.get(sim.uri(), "/v2/apps/web")).path("app").path("deployments")).hasSize(1);
        assertThat(sim.tasks("web")).filteredOn(t -> old.contains(t.id()))
                .allSatisfy(t -> assertThat(t.state()).isEqualTo("TASK_RUNNING"));

        sim.setHealth(fresh.get(0).id(), true);

        Await.until(() -> sim.tasks("web").stream().filter(t -> old.contains(t.id())).count() == 1);
        assertThat(sim.tasks("web")).filteredOn(t -> old.contains(t.id()))
                .allSatisfy(t -> assertThat(t.state()).isEqualTo("TASK_RUNNING"));

        sim.setHealth(fresh.get(1).id(), true);

        Await.until(() -> sim.tasks("web").stream().noneMatch(t -> old.contains(t.id())));
        assertThat(sim.tasks("web")).extracting(SimTask::id)
                .containsExactlyElementsOf(fresh.stream().map(SimTask::id).toList());
        Await.until(() -> Http.json(Http.get(sim.uri(), "/v2/apps/web")).path("app").path("deployments").isEmpty());
    }

    @Test
    void operationsOnUnknownTasksFail() {
        sim = MarathonSimulator.start();

        assertThatThrownBy(() -> sim.killTask("nope")).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> sim.requestsServedBy("nope")).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> sim.createApp("Bad_Id", 1, Map.of(), false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A plain connect, not an HTTP client whose pooled connection could fail differently. */
    static void assertRefused(SimTask task) {
        assertThatThrownBy(() -> new Socket(task.host(), task.port()).close()).isInstanceOf(ConnectException.class);
    }
}
