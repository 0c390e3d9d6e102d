package dev.thaw.wire.v1.node;

import dev.thaw.wire.v1.ApiRoute;
import java.util.List;

/**
 * The node agent's API, which the gateway (and Kubernetes node discovery) calls. Every route but
 * {@code /healthz} takes the bearer token the node accepts. Described in {@link #OPENAPI}.
 */
public final class NodeApi {
    /** The OpenAPI 3 document, as a class-path resource. */
    public static final String OPENAPI = "/dev/thaw/wire/v1/openapi/node.yaml";

    public static final ApiRoute HEALTH = ApiRoute.get("/healthz");
    public static final ApiRoute METRICS = ApiRoute.get("/metrics");
    public static final ApiRoute STATUS = ApiRoute.get("/v1/status");
    public static final ApiRoute DEPLOY = ApiRoute.put("/v1/deployments/{function}/{revision}");
    public static final ApiRoute PREFETCH = ApiRoute.post("/v1/deployments/{function}/{revision}/prefetch");
    public static final ApiRoute DELETE_FUNCTION = ApiRoute.delete("/v1/functions/{function}");
    public static final ApiRoute START = ApiRoute.post("/v1/instances");
    public static final ApiRoute STOP = ApiRoute.delete("/v1/instances/{id}");
    public static final ApiRoute INVOKE = ApiRoute.post("/v1/instances/{id}/invoke");
    /** Read-only routes for other nodes, under a peer credential only. */
    public static final ApiRoute PEER_MANIFEST = ApiRoute.get("/v1/peer/snapshots/{function}/{revision}/info.json");
    public static final ApiRoute PEER_SIGNATURE = ApiRoute.get("/v1/peer/snapshots/{function}/{revision}/info.sig");
    public static final ApiRoute PEER_CHUNK = ApiRoute.get("/v1/peer/chunks/{digest}");

    /** Every route a node serves. */
    public static final List<ApiRoute> ROUTES = List.of(HEALTH, METRICS, STATUS, DEPLOY, PREFETCH, DELETE_FUNCTION,
            START, STOP, INVOKE, PEER_MANIFEST, PEER_SIGNATURE, PEER_CHUNK);

    private NodeApi() {
    }
}
