package dev.thaw.control.extender;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.thaw.node.http.HttpApi;
import dev.thaw.wire.v1.extender.ExtenderArgs;
import dev.thaw.wire.v1.extender.ExtenderFilterResult;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.List;
import java.util.Objects;

/**
 * Serves {@code POST <prefix>filter} and {@code POST <prefix>prioritize} for
 * kube-scheduler; mount it in any {@link com.sun.net.httpserver.HttpServer} at the
 * prefix.
 *
 * <p>A request that cannot be read is answered 200 with a safe result, not with an
 * HTTP error, and logged: for filter, a result whose {@code error} says what is
 * wrong (kube-scheduler fails the attempt, as it would on any extender error, but
 * logs our reason instead of a status code); for prioritize, an empty list, which
 * kube-scheduler treats as "no opinion" — it ignores extender prioritize errors too.
 */
public final class ExtenderHandler implements HttpHandler {
    private static final Logger LOG = System.getLogger(ExtenderHandler.class.getName());
    /** Full Node objects run to several KiB each; 64 MiB fits a NodeList of 5,000 nodes. */
    public static final long DEFAULT_BODY_LIMIT = 64L << 20;

    private final Extender extender;
    private final String prefix;
    private final long bodyLimit;

    public ExtenderHandler(Extender extender, String prefix, long bodyLimit) {
        this.extender = Objects.requireNonNull(extender, "extender");
        this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        this.bodyLimit = bodyLimit;
    }

    public ExtenderHandler(Extender extender, String prefix) {
        this(extender, prefix, DEFAULT_BODY_LIMIT);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            String verb = path.startsWith(prefix) ? path.substring(prefix.length()) : "";
            if (!verb.equals("filter") && !verb.equals("prioritize")) {
                HttpApi.error(exchange, 404, "not_found", "the extender serves POST " + prefix + "filter and POST "
                        + prefix + "prioritize, not " + path);
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                HttpApi.error(exchange, 405, "method_not_allowed", path + " takes POST");
                return;
            }
            serve(exchange, verb, HttpApi.body(exchange, bodyLimit));
        } catch (HttpApi.TooLarge e) {
            HttpApi.tooLarge(exchange, e, "raise the extender's body limit or use nodeCacheCapable: true");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "extender request failed", e);
            exchange.close();
        }
    }

    private void serve(HttpExchange exchange, String verb, byte[] body) throws IOException {
        ExtenderArgs args;
        try {
            args = ExtenderArgs.parse(body);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "unreadable " + verb + " request from kube-scheduler: " + e.getMessage());
            HttpApi.json(exchange, 200, verb.equals("filter") ? ExtenderFilterResult.failure(e.getMessage()) : List.of());
            return;
        }
        HttpApi.json(exchange, 200, verb.equals("filter") ? extender.filter(args) : extender.prioritize(args));
    }
}
