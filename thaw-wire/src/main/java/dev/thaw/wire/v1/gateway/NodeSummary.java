package dev.thaw.wire.v1.gateway;

import dev.thaw.wire.v1.node.NodeStatus;
import java.time.Instant;

/** A node as {@code GET /v1/nodes} shows it; {@code status} is null until its first heartbeat. */
public record NodeSummary(String name, String url, boolean alive, Instant lastHeartbeat, NodeStatus status) {
}
