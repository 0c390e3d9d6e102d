package dev.thaw.k8s.extender;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.thaw.control.extender.CacheView;
import dev.thaw.control.extender.Extender;
import dev.thaw.control.extender.ExtenderHandler;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.http.HttpApi;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The extender over HTTP for kube-scheduler: {@code POST /filter},
 * {@code POST /prioritize}, and {@code GET /healthz}, which answers 503 until the
 * cache view is ready so a readiness probe holds traffic back until then.
 */
public final class ExtenderServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    private ExtenderServer(InetSocketAddress listen, CacheView view, SchedulerPolicy policy, BooleanSupplier ready)
            throws IOException {
        server = HttpServer.create(listen, 128);
        server.createContext("/", new ExtenderHandler(new Extender(view, policy), "/"));
        server.createContext("/healthz", exchange -> health(exchange, ready.getAsBoolean()));
        server.setExecutor(executor);
        server.start();
    }

    public static ExtenderServer start(InetSocketAddress listen, CacheView view, SchedulerPolicy policy,
            BooleanSupplier ready) throws IOException {
        return new ExtenderServer(listen, view, policy, ready);
    }

    private static void health(HttpExchange exchange, boolean ready) throws IOException {
        exchange.getRequestBody().close();
        byte[] body = (ready ? "ok\n" : "cache not synced yet\n").getBytes(StandardCharsets.UTF_8);
        HttpApi.send(exchange, ready ? 200 : 503, "text/plain; charset=utf-8", body);
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8888/}; loopback when bound to every address. */
    public URI url() {
        var address = server.getAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
