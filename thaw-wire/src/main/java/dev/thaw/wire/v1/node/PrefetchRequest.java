package dev.thaw.wire.v1.node;

import java.util.Map;

/**
 * Asks a node to fetch a deployed revision's snapshot into its cache ahead of a predicted start.
 *
 * @param signers the public signing keys (base64 X.509 Ed25519), by node name, of the nodes that may have
 *     published this revision's snapshot, as in {@link StartRequest#signers()}: a snapshot signed by any other
 *     key is not fetched (null or empty: only the node's own key)
 */
public record PrefetchRequest(Map<String, String> signers) {

    public PrefetchRequest {
        signers = signers == null ? Map.of() : Map.copyOf(signers);
        if (signers.size() > StartRequest.MAX_SIGNERS) {
            throw new IllegalArgumentException("at most " + StartRequest.MAX_SIGNERS + " signers, got "
                    + signers.size());
        }
    }
}
