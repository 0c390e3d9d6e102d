package dev.thaw.wire.v1.extender;

import dev.thaw.wire.v1.ApiRoute;
import java.util.List;

/**
 * The scheduler extender's API as {@code thaw extender} serves it to kube-scheduler (the gateway serves the
 * same two verbs under {@code /extender/}). Described in {@link #OPENAPI}.
 */
public final class ExtenderApi {
    /** The OpenAPI 3 document, as a class-path resource. */
    public static final String OPENAPI = "/dev/thaw/wire/v1/openapi/extender.yaml";

    /** 200 once the cache view is ready, 503 before: a readiness probe. */
    public static final ApiRoute HEALTH = ApiRoute.get("/healthz");
    public static final ApiRoute FILTER = ApiRoute.post("/filter");
    public static final ApiRoute PRIORITIZE = ApiRoute.post("/prioritize");

    /** Every route the extender serves. */
    public static final List<ApiRoute> ROUTES = List.of(HEALTH, FILTER, PRIORITIZE);

    private ExtenderApi() {
    }
}
