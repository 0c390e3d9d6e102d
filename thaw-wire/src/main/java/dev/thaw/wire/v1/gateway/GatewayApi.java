package dev.thaw.wire.v1.gateway;

import dev.thaw.wire.v1.ApiRoute;
import java.util.List;

/**
 * The gateway's API: the user API (user token), the membership endpoints nodes call (join token, then each
 * node's own), and the scheduler extender over the cluster's live state. Described in {@link #OPENAPI}, which
 * the gateway also serves at {@code GET /openapi.yaml}.
 */
public final class GatewayApi {
    /** The OpenAPI 3 document, as a class-path resource. */
    public static final String OPENAPI = "/dev/thaw/wire/v1/openapi/gateway.yaml";

    public static final ApiRoute HEALTH = ApiRoute.get("/healthz");
    public static final ApiRoute OPENAPI_DOCUMENT = ApiRoute.get("/openapi.yaml");
    public static final ApiRoute METRICS = ApiRoute.get("/metrics");
    public static final ApiRoute LIST_FUNCTIONS = ApiRoute.get("/v1/functions");
    public static final ApiRoute DEPLOY = ApiRoute.post("/v1/functions");
    public static final ApiRoute DESCRIBE_FUNCTION = ApiRoute.get("/v1/functions/{name}");
    public static final ApiRoute DELETE_FUNCTION = ApiRoute.delete("/v1/functions/{name}");
    public static final ApiRoute INVOKE = ApiRoute.post("/v1/functions/{name}/invoke");
    public static final ApiRoute LIST_NODES = ApiRoute.get("/v1/nodes");
    public static final ApiRoute STATUS = ApiRoute.get("/v1/status");
    public static final ApiRoute JOIN = ApiRoute.post("/v1/join");
    public static final ApiRoute REGISTER = ApiRoute.post("/v1/nodes");
    public static final ApiRoute HEARTBEAT = ApiRoute.put("/v1/nodes/{node}/heartbeat");
    public static final ApiRoute FORGET_NODE = ApiRoute.delete("/v1/nodes/{node}");
    public static final ApiRoute EXTENDER_FILTER = ApiRoute.post("/extender/filter");
    public static final ApiRoute EXTENDER_PRIORITIZE = ApiRoute.post("/extender/prioritize");

    /** Every route the gateway serves. */
    public static final List<ApiRoute> ROUTES = List.of(HEALTH, OPENAPI_DOCUMENT, METRICS, LIST_FUNCTIONS, DEPLOY,
            DESCRIBE_FUNCTION, DELETE_FUNCTION, INVOKE, LIST_NODES, STATUS, JOIN, REGISTER, HEARTBEAT, FORGET_NODE,
            EXTENDER_FILTER, EXTENDER_PRIORITIZE);

    private GatewayApi() {
    }
}
