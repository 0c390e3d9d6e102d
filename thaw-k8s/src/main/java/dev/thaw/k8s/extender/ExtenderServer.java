package dev.thaw.k8s.extender;

import dev.thaw.control.extender.CacheView;
import dev.thaw.control.extender.Extender;
import dev.thaw.control.extender.ExtenderHandler;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.http.ErrorMapper;
import dev.thaw.http.Exchange;
import dev.thaw.http.Server;
import dev.thaw.http.ServerOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.function.BooleanSupplier;

/**
 * The extender over HTTP for kube-scheduler: {@code POST /filter},
 * {@code POST /prioritize}, and {@code GET /healthz}, which answers 503 until the
 * cache view is ready so a readiness probe holds traffic back until then.
 */
public final class ExtenderServer implements AutoCloseable {
    private final Server server;

    private ExtenderServer(InetSocketAddress listen, CacheView view, SchedulerPolicy policy, BooleanSupplier ready)
            throws IOException {
        ExtenderHandler handler = new ExtenderHandler(new Extender(view, policy));
        server = Server.start(ServerOptions.of(listen.getAddress().getHostAddress(), listen.getPort(),
                ExtenderHandler.DEFAULT_BODY_LIMIT), new ErrorMapper(), routes -> {
                    routes.open("GET", "/healthz", (request, response) -> {
                        boolean ok = ready.getAsBoolean();
                        Exchange.text(response, ok ? 200 : 503, ok ? "ok\n" : "cache not synced yet\n");
                    });
                    handler.routes(routes, "", null);
                });
    }

    public static ExtenderServer start(InetSocketAddress listen, CacheView view, SchedulerPolicy policy,
            BooleanSupplier ready) throws IOException {
        return new ExtenderServer(listen, view, policy, ready);
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8888/}; loopback when bound to every address. */
    public URI url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
    }
}
