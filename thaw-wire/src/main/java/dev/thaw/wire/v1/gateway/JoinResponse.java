package dev.thaw.wire.v1.gateway;

/** The gateway's answer to a join: {@code node} is bound to the token the node sent. */
public record JoinResponse(String node) {
}
