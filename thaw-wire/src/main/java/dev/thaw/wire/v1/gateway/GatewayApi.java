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
    public static final ApiRoute LIST_NAMESPACES = ApiRoute.get("/v1/namespaces");
    public static final ApiRoute CREATE_NAMESPACE = ApiRoute.post("/v1/namespaces");
    public static final ApiRoute DESCRIBE_NAMESPACE = ApiRoute.get("/v1/namespaces/{namespace}");
    public static final ApiRoute DELETE_NAMESPACE = ApiRoute.delete("/v1/namespaces/{namespace}");
    public static final ApiRoute SET_QUOTA = ApiRoute.put("/v1/namespaces/{namespace}/quota");
    public static final ApiRoute LIST_TOKENS = ApiRoute.get("/v1/tokens");
    public static final ApiRoute ISSUE_TOKEN = ApiRoute.post("/v1/tokens");
    public static final ApiRoute REVOKE_TOKEN = ApiRoute.delete("/v1/tokens/{id}");
    public static final ApiRoute NS_LIST_FUNCTIONS = ApiRoute.get("/v1/namespaces/{namespace}/functions");
    public static final ApiRoute NS_DEPLOY = ApiRoute.post("/v1/namespaces/{namespace}/functions");
    public static final ApiRoute NS_DESCRIBE_FUNCTION = ApiRoute.get("/v1/namespaces/{namespace}/functions/{name}");
    public static final ApiRoute NS_DELETE_FUNCTION = ApiRoute.delete("/v1/namespaces/{namespace}/functions/{name}");
    public static final ApiRoute NS_INVOKE = ApiRoute.post("/v1/namespaces/{namespace}/functions/{name}/invoke");
    /** The function routes without a namespace: the {@code default} namespace's. */
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
    public static final List<ApiRoute> ROUTES = List.of(HEALTH, OPENAPI_DOCUMENT, METRICS, LIST_NAMESPACES,
            CREATE_NAMESPACE, DESCRIBE_NAMESPACE, DELETE_NAMESPACE, SET_QUOTA, LIST_TOKENS, ISSUE_TOKEN, REVOKE_TOKEN,
            NS_LIST_FUNCTIONS, NS_DEPLOY, NS_DESCRIBE_FUNCTION, NS_DELETE_FUNCTION, NS_INVOKE, LIST_FUNCTIONS, DEPLOY,
            DESCRIBE_FUNCTION, DELETE_FUNCTION, INVOKE, LIST_NODES, STATUS, JOIN, REGISTER, HEARTBEAT, FORGET_NODE,
            EXTENDER_FILTER, EXTENDER_PRIORITIZE);

    private GatewayApi() {
    }
}
