package dev.thaw.http;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.function.Consumer;

/**
 * A started Thaw HTTP server (Helidon SE WebServer, a virtual thread per request) with the
 * limits of its {@link ServerOptions}, one {@link ErrorMapper} for every failure and, when
 * configured, TLS. Closing it stops the listener.
 */
public final class Server implements AutoCloseable {
    private static final Logger ACCESS = System.getLogger("dev.thaw.http.access");

    private final WebServer web;
    private final ServerOptions options;

    private Server(WebServer web, ServerOptions options) {
        this.web = web;
        this.options = options;
    }

    /**
     * Binds and serves. {@code routes} adds the routes; a request no route takes is answered
     * 404 in the {@link ErrorBody} form.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static Server start(ServerOptions options, ErrorMapper errors, Consumer<Routes> routes)
            throws IOException {
        HttpRouting.Builder routing = HttpRouting.builder();
        if (options.accessLog()) {
            routing.addFilter((chain, request, response) -> {
                long start = System.nanoTime();
                try {
                    chain.proceed();
                } finally {
                    ACCESS.log(Level.INFO, "{0} {1} {2} {3} ms", request.prologue().method().text(),
                            request.path().rawPath(), response.status().code(),
                            String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e6));
                }
            });
        }
        Routes table = new Routes(routing);
        routes.accept(table);
        table.finish();
        routing.any((request, response) -> {
            throw HttpError.notFound("no endpoint " + request.prologue().method().text() + " "
                    + request.path().rawPath() + " here");
        });
        routing.error(Throwable.class, errors::handle);
        RequestDeadline deadline = new RequestDeadline(options.requestDeadline());
        io.helidon.webserver.WebServerConfig.Builder builder = WebServer.builder()
                .host(options.host())
                .port(options.port())
                .shutdownHook(false)
                // Twice the largest body: Exchange.body reads a body up to twice its limit to the end
                // before refusing it, so that its sender reads the 413 instead of a reset connection.
                .maxPayloadSize(saturatedDouble(options.maxBodyBytes()))
                .maxTcpConnections(options.maxConnections())
                .idleConnectionTimeout(options.requestDeadline())
                .idleConnectionPeriod(options.requestDeadline().dividedBy(2))
                .connectionOptions(s -> s.readTimeout(options.requestDeadline()).tcpNoDelay(true))
                .addProtocol(Http1Config.builder()
                        .maxHeadersSize(options.maxHeaderBytes())
                        .maxPrologueLength(Math.min(options.maxHeaderBytes(), 16 * 1024))
                        .validateRequestHostHeader(false)
                        .addReceiveListener(deadline)
                        .addSendListener(deadline)
                        .build())
                .directHandlers(ErrorMapper.transportErrors(options.maxBodyBytes()))
                .routing(routing);
        if (options.tls()) {
            builder.tls(TlsFiles.server(options.tlsCertificate().get(), options.tlsKey().get()));
        }
        try {
            return new Server(builder.build().start(), options);
        } catch (UncheckedIOException e) {
            throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (IllegalStateException e) {
            throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage(), e);
        }
    }

    public int port() {
        return web.port();
    }

    public boolean tls() {
        return options.tls();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080/}; loopback when bound to every address. */
    public URI url() {
        String host = options.host();
        try {
            InetAddress address = InetAddress.getByName(host);
            host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
        } catch (UnknownHostException e) {
            // keep the configured name
        }
        return URI.create((tls() ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + port() + "/");
    }

    @Override
    public void close() {
        web.stop();
    }

    private static long saturatedDouble(long bytes) {
        return bytes > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * bytes;
    }
}
