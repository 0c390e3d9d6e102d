package dev.thaw.wire.v1.gateway;

/**
 * A node announcing itself to the control plane: its name, where its API listens, and the
 * public key (base64 X.509 Ed25519) it signs its snapshots with (null: it publishes none that
 * other nodes trust).
 */
public record RegisterRequest(String node, String url, String signingKey) {

    public RegisterRequest(String node, String url) {
        this(node, url, null);
    }
}
