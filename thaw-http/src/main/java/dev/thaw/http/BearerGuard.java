package dev.thaw.http;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one bearer-token check, configured per route group: a request to a guarded route
 * goes on only when {@code Authorization: Bearer <token>} names a principal; otherwise it is
 * answered 401. Tokens are compared in constant time; an empty token accepts nobody.
 */
public final class BearerGuard {
    private final Function<String, Optional<String>> authenticate;

    private BearerGuard(Function<String, Optional<String>> authenticate) {
        this.authenticate = authenticate;
    }

    /** Accepts exactly the token {@code expected} supplies at the time of the request (none while empty or null). */
    public static BearerGuard token(Supplier<String> expected) {
        return new BearerGuard(presented -> matches(presented, expected.get()) ? Optional.of("token")
                : Optional.empty());
    }

    /**
     * Accepts the tokens {@code authenticate} maps to a principal; it may throw an
     * {@link HttpError} (e.g. 503 when the store that knows the tokens cannot be read).
     */
    public static BearerGuard principals(Function<String, Optional<String>> authenticate) {
        return new BearerGuard(authenticate);
    }

    /** {@code handler}, behind this guard. */
    public Handler protect(Handler handler) {
        return (request, response) -> {
            principal(request);
            handler.handle(request, response);
        };
    }

    /** The principal the request's token names; otherwise throws a 401 {@link HttpError}. */
    public String principal(ServerRequest request) {
        String presented = Exchange.bearer(request);
        Optional<String> principal = presented.isEmpty() ? Optional.empty() : authenticate.apply(presented);
        if (principal.isEmpty()) {
            boolean none = Exchange.header(request, "Authorization").isEmpty();
            throw new HttpError(401, "unauthorized", none ? "this API needs 'Authorization: Bearer <token>'"
                    : "the token is not valid for this API", Map.of("WWW-Authenticate", "Bearer"));
        }
        return principal.get();
    }

    static boolean matches(String presented, String expected) {
        return expected != null && !expected.isEmpty() && MessageDigest.isEqual(
                presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
