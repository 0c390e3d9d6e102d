package dev.thaw.control.cluster;

import java.io.IOException;

/** A node died, or stopped answering, while a call to it was in flight. Answered with 502 {@code node_failed}. */
public final class NodeFailedException extends IOException {
    private final String node;

    public NodeFailedException(String node, String reason) {
        super("node '" + node + "' failed: " + reason);
        this.node = node;
    }

    public NodeFailedException(String node, String reason, Throwable cause) {
        super("node '" + node + "' failed: " + reason, cause);
        this.node = node;
    }

    public String node() {
        return node;
    }
}
