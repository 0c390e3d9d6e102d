package dev.thaw.wire.v1.node;

import java.util.Map;

/**
 * Asks a node for a new instance of a deployed revision.
 *
 * @param keepAliveMs how long the gateway keeps the instance when idle; the node stops it on its own once it
 *     has been idle this long plus a grace period (null: the node's default)
 * @param signers the public signing keys (base64 X.509 Ed25519), by node name, of the nodes that may have
 *     published this revision's snapshot; a snapshot in the store signed by any other key is refused
 *     (null or empty: only the node's own key)
 */
public record StartRequest(String function, String revision, Long keepAliveMs, Map<String, String> signers) {

    /** At most this many signers; a cluster has fewer nodes. */
    public static final int MAX_SIGNERS = 4096;

    public StartRequest {
        signers = signers == null ? Map.of() : Map.copyOf(signers);
        if (signers.size() > MAX_SIGNERS) {
            throw new IllegalArgumentException("at most " + MAX_SIGNERS + " signers, got " + signers.size());
        }
    }

    public StartRequest(String function, String revision, Long keepAliveMs) {
        this(function, revision, keepAliveMs, Map.of());
    }

    public StartRequest(String function, String revision) {
        this(function, revision, null);
    }
}
