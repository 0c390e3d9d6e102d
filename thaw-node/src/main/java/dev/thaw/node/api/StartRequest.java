package dev.thaw.node.api;

/** Asks a node for a new instance of a deployed revision. */
public record StartRequest(String function, String revision) {
}
