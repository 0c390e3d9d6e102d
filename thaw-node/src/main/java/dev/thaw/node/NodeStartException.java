package dev.thaw.node;

/** No instance could be started: not even a boot worked. */
public class NodeStartException extends Exception {
    public NodeStartException(String message) {
        super(message);
    }

    public NodeStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
