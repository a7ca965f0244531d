package io.mesoslb.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Marathon instances of one simulated cluster share: the state (as ZooKeeper would hold it), who leads,
 * the event listeners, the I/O threads, and one control thread on which every state change and timer runs. That
 * single thread is what makes each operation atomic for REST readers and keeps event order deterministic.
 */
final class Cluster {
    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

    private final SimulatorOptions options;
    private final EventLoopGroup group;
    private final ScheduledThreadPoolExecutor control;
    private volatile Thread controlThread;
    private final Marathon marathon;
    private final List<MarathonSimulator> members = new CopyOnWriteArrayList<>();
    private final List<Consumer<EmittedEvent>> listeners = new CopyOnWriteArrayList<>();
    private volatile MarathonSimulator leader;
    private volatile boolean eventsSuppressed;

    Cluster(SimulatorOptions options) {
        this.options = options;
        this.group = new MultiThreadIoEventLoopGroup(options.ioThreads(), NioIoHandler.newFactory());
        this.control = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "marathon-sim-control");
            t.setDaemon(true);
            controlThread = t;
            return t;
        });
        control.setRemoveOnCancelPolicy(true);
        control.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.marathon = new Marathon(this);
    }

    SimulatorOptions options() {
        return options;
    }

    EventLoopGroup group() {
        return group;
    }

    Marathon marathon() {
        return marathon;
    }

    MarathonSimulator leader() {
        return leader;
    }

    // ---------------------------------------------------------------- control thread

    /** Runs on the control thread and waits; exceptions thrown there are rethrown here unchanged. */
    <T> T call(Callable<T> task) {
        if (Thread.currentThread() == controlThread) {
            return callInline(task);
        }
        Future<T> f = control.submit(task);
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the simulator", e);
        }
    }

    void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Runs on the control thread without waiting; for Netty handlers, which must not block. */
    <T> CompletableFuture<T> async(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            control.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RuntimeException rejected) {
            result.completeExceptionally(rejected);
        }
        return result;
    }

    void schedule(Duration delay, Runnable task) {
        if (control.isShutdown()) {
            return;
        }
        control.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("simulator timer failed", e);
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static <T> T callInline(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- events

    void addListener(Consumer<EmittedEvent> listener) {
        listeners.add(listener);
    }

    void suppressEvents(boolean suppressed) {
        eventsSuppressed = suppressed;
    }

    /**
     * When an event went out.
     *
     * @param handedOver {@link System#nanoTime()} when the control thread handed it to the streams and listeners
     * @param writing    completes with the {@link System#nanoTime()} at which the first stream to take it began
     *                   writing it on its event loop, or with {@code null} when no stream took it
     */
    record Emission(long handedOver, CompletableFuture<Long> writing) {
    }

    /**
     * A state-change event; not emitted while events are suppressed. Control thread only.
     *
     * @return when it went out, null when it was not emitted
     */
    Emission emit(ObjectNode event) {
        return eventsSuppressed ? null : publish(event.get("eventType").asText(), MarathonJson.write(event));
    }

    /**
     * Hands an event to the leader's streams and to listeners, whatever its body. Control thread only.
     *
     * @return when it went out, null when there is no leader to emit it
     */
    Emission publish(String eventType, String json) {
        MarathonSimulator current = leader;
        if (current == null) {
            return null;
        }
        long emitted = System.nanoTime();
        CompletableFuture<Long> writing = current.streams().broadcast(eventType, json);
        for (Consumer<EmittedEvent> l : listeners) {
            try {
                l.accept(new EmittedEvent(eventType, json, emitted));
            } catch (RuntimeException e) {
                LOG.warn("event listener failed on {}", eventType, e);
            }
        }
        return new Emission(emitted, writing);
    }

    // ---------------------------------------------------------------- membership and leadership

    void join(MarathonSimulator member) {
        members.add(member);
        if (leader == null) {
            leader = member;
        }
    }

    /**
     * Leadership moves (or is re-taken by the same instance): every stream of every instance closes, as the old
     * leader drops them and standbys never hold any, and health results are forgotten. Control thread only.
     */
    void electLeader(MarathonSimulator next) {
        for (MarathonSimulator m : members) {
            m.streams().closeAll();
        }
        leader = next;
        marathon.forgetHealth();
    }

    /** Removes a closed member; a closed leader hands over to the next one. Returns whether none is left. */
    boolean leave(MarathonSimulator member) {
        return call(() -> {
            members.remove(member);
            if (leader == member) {
                electLeader(members.isEmpty() ? null : members.get(0));
            }
            return members.isEmpty();
        });
    }

    /** Stops every backend and the threads; after the last member left. */
    void shutdown() {
        run(marathon::stopAll);
        control.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
