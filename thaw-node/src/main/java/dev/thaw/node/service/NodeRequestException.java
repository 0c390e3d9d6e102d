package dev.thaw.node.service;

/**
 * A request the node refuses or could not carry out, with the HTTP status and
 * the error code the contract gives it ({@code unknown_instance}, {@code no_capacity}, ...).
 */
public final class NodeRequestException extends Exception {
    private final int status;
    private final String code;

    public NodeRequestException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    static NodeRequestException badRequest(String message) {
        return new NodeRequestException(400, "bad_request", message);
    }

    static NodeRequestException unknownDeployment(String function, String revision) {
        return new NodeRequestException(404, "unknown_deployment", "revision " + revision + " of function '"
                + function + "' is not deployed on this node; PUT /v1/deployments/" + function + "/" + revision
                + " first");
    }

    static NodeRequestException unknownInstance(String id) {
        return new NodeRequestException(404, "unknown_instance", "no instance '" + id + "' runs on this node");
    }
}
