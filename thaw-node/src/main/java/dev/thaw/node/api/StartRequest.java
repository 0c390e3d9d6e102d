package dev.thaw.node.api;

/**
 * Asks a node for a new instance of a deployed revision.
 *
 * @param keepAliveMs how long the gateway keeps the instance when idle; the node stops it on its own once it
 *     has been idle this long plus a grace period (null: the node's default)
 */
public record StartRequest(String function, String revision, Long keepAliveMs) {

    public StartRequest(String function, String revision) {
        this(function, revision, null);
    }
}
