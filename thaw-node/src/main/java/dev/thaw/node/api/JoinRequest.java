package dev.thaw.node.api;

/** A node asking the gateway, with the cluster's join token, for a credential of its own under {@code node}. */
public record JoinRequest(String node) {
}
