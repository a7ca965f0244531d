package io.mesoslb.discovery.marathon;

/** How an app's tasks are reached, which decides where their address comes from (REFERENCE.md 2.3). */
public enum NetworkMode {
    /** The task listens on its agent's host ports: {@code task.host} + {@code task.ports[i]}. */
    HOST,
    /** Docker bridge: the agent maps host ports into the container, so still {@code task.host} + {@code task.ports[i]}. */
    BRIDGE,
    /** IP-per-task / overlay: {@code task.ipAddresses[0]} + {@code portMappings[i].containerPort}. */
    CONTAINER
}
