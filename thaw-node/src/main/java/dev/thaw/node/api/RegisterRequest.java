package dev.thaw.node.api;

/** A node announcing itself to the control plane: its name and where its API listens. */
public record RegisterRequest(String node, String url) {
}
