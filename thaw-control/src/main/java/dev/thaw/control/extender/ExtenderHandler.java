package dev.thaw.control.extender;

import dev.thaw.wire.v1.extender.ExtenderArgs;
import dev.thaw.wire.v1.extender.ExtenderFilterResult;
import dev.thaw.http.BearerGuard;
import dev.thaw.http.Exchange;
import dev.thaw.http.Routes;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.List;
import java.util.Objects;

/**
 * Serves {@code POST <prefix>/filter} and {@code POST <prefix>/prioritize} for kube-scheduler;
 * add it to any Thaw server's routes at a prefix.
 *
 * <p>A request that cannot be read is answered 200 with a safe result, not with an
 * HTTP error, and logged: for filter, a result whose {@code error} says what is
 * wrong (kube-scheduler fails the attempt, as it would on any extender error, but
 * logs our reason instead of a status code); for prioritize, an empty list, which
 * kube-scheduler treats as "no opinion" — it ignores extender prioritize errors too.
 */
public final class ExtenderHandler {
    private static final Logger LOG = System.getLogger(ExtenderHandler.class.getName());
    /** Full Node objects run to several KiB each; 64 MiB fits a NodeList of 5,000 nodes. */
    public static final long DEFAULT_BODY_LIMIT = 64L << 20;

    private final Extender extender;
    private final long bodyLimit;

    public ExtenderHandler(Extender extender, long bodyLimit) {
        this.extender = Objects.requireNonNull(extender, "extender");
        this.bodyLimit = bodyLimit;
    }

    public ExtenderHandler(Extender extender) {
        this(extender, DEFAULT_BODY_LIMIT);
    }

    /** Adds the two routes under {@code prefix} (e.g. {@code /extender}, or empty for the root); guarded when {@code guard} is not null. */
    public void routes(Routes routes, String prefix, BearerGuard guard) {
        String base = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        for (String verb : List.of("filter", "prioritize")) {
            Handler handler = (request, response) -> serve(request, response, verb);
            if (guard == null) {
                routes.open("POST", base + "/" + verb, handler);
            } else {
                routes.guarded(guard, "POST", base + "/" + verb, handler);
            }
        }
    }

    private void serve(ServerRequest request, ServerResponse response, String verb) throws IOException {
        byte[] body = Exchange.body(request, bodyLimit,
                "raise the extender's body limit or use nodeCacheCapable: true");
        ExtenderArgs args;
        try {
            args = ExtenderArgs.parse(body);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "unreadable " + verb + " request from kube-scheduler: " + e.getMessage());
            Exchange.json(response, 200, verb.equals("filter") ? ExtenderFilterResult.failure(e.getMessage())
                    : List.of());
            return;
        }
        Exchange.json(response, 200, verb.equals("filter") ? extender.filter(args) : extender.prioritize(args));
    }
}
