package dev.thaw.node.api;

/** The gateway's answer to a join: {@code node} is bound to the token the node sent. */
public record JoinResponse(String node) {
}
