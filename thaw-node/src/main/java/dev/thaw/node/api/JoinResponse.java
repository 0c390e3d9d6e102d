package dev.thaw.node.api;

/**
 * The gateway's answer to a join: the node's own token, bound to {@code node}. The node keeps it
 * and presents it on every registration and heartbeat; the gateway keeps only a keyed hash of it.
 */
public record JoinResponse(String node, String token) {
    // The token never goes into logs.
    @Override
    public String toString() {
        return "JoinResponse[node=" + node + "]";
    }
}
