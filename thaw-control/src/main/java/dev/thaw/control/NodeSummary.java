package dev.thaw.control;

import dev.thaw.node.api.NodeStatus;
import java.time.Instant;

/** A node as {@code GET /v1/nodes} shows it; {@code status} is null until its first heartbeat. */
public record NodeSummary(String name, String url, boolean alive, Instant lastHeartbeat, NodeStatus status) {
}
