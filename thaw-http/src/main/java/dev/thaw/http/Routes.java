package dev.thaw.http;

import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routes of one server, each open or behind a {@link BearerGuard}. A known path asked
 * with a method it does not take is answered 405 with {@code Allow}.
 */
public final class Routes {
    private final HttpRouting.Builder routing;
    private final Map<String, Set<String>> methods = new LinkedHashMap<>();

    Routes(HttpRouting.Builder routing) {
        this.routing = routing;
    }

    /** A route anyone may call. {@code path} is a template, e.g. {@code /v1/instances/{id}}. */
    public Routes open(String method, String path, Handler handler) {
        methods.computeIfAbsent(path, p -> new TreeSet<>()).add(method);
        routing.route(Method.create(method), path, handler);
        return this;
    }

    /** A route for callers {@code guard} accepts. */
    public Routes guarded(BearerGuard guard, String method, String path, Handler handler) {
        return open(method, path, guard.protect(handler));
    }

    /** Runs before every route (e.g. a concurrency cap, or checks on path segments). */
    public Routes filter(Filter filter) {
        routing.addFilter(filter);
        return this;
    }

    /** After every route: a known path with another method is a 405. */
    void finish() {
        methods.forEach((path, allowed) -> {
            String allow = String.join(", ", allowed);
            routing.any(path, (request, response) -> {
                throw new HttpError(405, "method_not_allowed", "use " + allow + " on " + path + ", not "
                        + request.prologue().method().text(), Map.of("Allow", allow));
            });
        });
    }
}
