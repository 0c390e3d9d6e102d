package dev.thaw.control;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.thaw.api.FunctionName;
import dev.thaw.api.ManifestException;
import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.control.cluster.NodeIdentities;
import dev.thaw.control.extender.Extender;
import dev.thaw.control.extender.ExtenderHandler;
import dev.thaw.control.extender.MembershipCacheView;
import dev.thaw.control.functions.Archives;
import dev.thaw.control.functions.Deployer;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.routing.InvokeException;
import dev.thaw.control.routing.InvokeResult;
import dev.thaw.control.routing.Router;
import dev.thaw.node.http.HttpApi;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.wire.v1.gateway.DeployRequest;
import dev.thaw.wire.v1.gateway.DeploySettings;
import dev.thaw.wire.v1.gateway.GatewayApi;
import dev.thaw.wire.v1.gateway.JoinRequest;
import dev.thaw.wire.v1.gateway.JoinResponse;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.NodeStatus;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/** The gateway's HTTP API (see {@code /openapi.yaml}): the user API and the membership endpoints. */
final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(GatewayServer.class.getName());
    private static final String OPENAPI = GatewayApi.OPENAPI;

    private final Gateway gateway;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight;

    private GatewayServer(Gateway gateway) throws IOException {
        this.gateway = gateway;
        this.inFlight = new Semaphore(gateway.config().maxInFlight());
        this.server = HttpServer.create(gateway.config().listen(), 128);
        server.createContext("/", this::handle);
        // The scheduler extender over this cluster's live cache state, as kube-scheduler would call it;
        // behind the user token like every gateway API.
        ExtenderHandler extender = new ExtenderHandler(new Extender(new MembershipCacheView(gateway.membership()),
                gateway.config().policy()), "/extender/");
        server.createContext("/extender/", exchange -> {
            if (HttpApi.authorized(exchange, gateway.config().apiToken())) {
                extender.handle(exchange);
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    static GatewayServer start(Gateway gateway) throws IOException {
        return new GatewayServer(gateway);
    }

    URI url() {
        var address = server.getAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "/");
    }

    private void handle(HttpExchange exchange) throws IOException {
        long accepted = System.nanoTime();
        // Past the cap the answer is immediate, so a flood costs a thread and a few bytes, not a queue.
        if (!inFlight.tryAcquire()) {
            try {
                exchange.getResponseHeaders().set("Retry-After", "1");
                HttpApi.error(exchange, 503, "overloaded", "the gateway is serving " + gateway.config().maxInFlight()
                        + " requests, its limit; retry shortly");
            } finally {
                exchange.close();
            }
            return;
        }
        try {
            route(exchange, accepted);
        } catch (HttpApi.TooLarge e) {
            HttpApi.tooLarge(exchange, e, "send a smaller body");
        } catch (IllegalArgumentException e) {
            HttpApi.error(exchange, 400, "bad_request", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            HttpApi.error(exchange, 503, "shutting_down", "the gateway is shutting down; retry elsewhere");
        } catch (IOException | RuntimeException e) {
            HttpApi.internalError(exchange, LOG, e);
        } finally {
            inFlight.release();
            exchange.close();
        }
    }

    private void route(HttpExchange exchange, long accepted) throws IOException, InterruptedException {
        String method = exchange.getRequestMethod();
        String raw = exchange.getRequestURI().getRawPath();
        List<String> parts = Arrays.stream(raw.split("/")).filter(s -> !s.isEmpty()).toList();
        // Names are checked before anything else, so an encoded '/' or '..' never reaches a lookup.
        String name = null;
        if (parts.size() >= 3 && parts.get(0).equals("v1")
                && (parts.get(1).equals("functions") || parts.get(1).equals("nodes"))) {
            name = URLDecoder.decode(parts.get(2), StandardCharsets.UTF_8);
            boolean valid = parts.get(1).equals("functions") ? FunctionName.isValid(name)
                    : Membership.validNodeName(name);
            if (!valid) {
                HttpApi.error(exchange, 400, "bad_name", "'" + name + "' is not a valid "
                        + (parts.get(1).equals("functions") ? "function" : "node")
                        + " name: use lower-case letters, digits, '_' and '-', with no '/', '.' or '%'");
                return;
            }
        }
        String path = "/" + String.join("/", parts.size() >= 3 && name != null
                ? concat(parts.subList(0, 2), "{}", parts.subList(3, parts.size())) : parts);
        String user = gateway.config().apiToken();
        Optional<String> unavailable = gateway.functions().unavailable();
        if (unavailable.isPresent() && path.startsWith("/v1/functions")) {
            // An empty registry is not the truth until the store said so.
            if (HttpApi.authorized(exchange, user)) {
                HttpApi.error(exchange, 503, "registry_unavailable", unavailable.get());
            }
            return;
        }
        switch (method + " " + path) {
            case "GET /healthz" -> HttpApi.send(exchange, 200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
            case "GET /openapi.yaml" -> openapi(exchange);
            case "GET /metrics" -> {
                if (HttpApi.authorized(exchange, user)) {
                    HttpApi.send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                            gateway.metrics().scrape().getBytes(StandardCharsets.UTF_8));
                }
            }
            case "GET /v1/functions" -> {
                if (HttpApi.authorized(exchange, user)) {
                    HttpApi.json(exchange, 200, gateway.list());
                }
            }
            case "POST /v1/functions" -> {
                if (HttpApi.authorized(exchange, user)) {
                    deploy(exchange);
                }
            }
            case "GET /v1/functions/{}" -> {
                if (HttpApi.authorized(exchange, user)) {
                    var function = gateway.functions().find(name);
                    if (function.isEmpty()) {
                        unknownFunction(exchange, name);
                    } else {
                        HttpApi.json(exchange, 200, gateway.view(function.get()));
                    }
                }
            }
            case "DELETE /v1/functions/{}" -> {
                if (HttpApi.authorized(exchange, user)) {
                    delete(exchange, name);
                }
            }
            case "POST /v1/functions/{}/invoke" -> {
                if (HttpApi.authorized(exchange, user)) {
                    invoke(exchange, name, accepted);
                }
            }
            case "GET /v1/nodes" -> {
                if (HttpApi.authorized(exchange, user)) {
                    HttpApi.json(exchange, 200, gateway.nodes());
                }
            }
            case "GET /v1/status" -> {
                if (HttpApi.authorized(exchange, user)) {
                    HttpApi.json(exchange, 200, gateway.status());
                }
            }
            case "POST /v1/join" -> {
                if (HttpApi.authorized(exchange, gateway.config().joinToken())) {
                    join(exchange);
                }
            }
            case "POST /v1/nodes" -> {
                Optional<String> node = node(exchange);
                if (node.isPresent()) {
                    register(exchange, node.get());
                }
            }
            case "PUT /v1/nodes/{}/heartbeat" -> {
                Optional<String> node = node(exchange);
                if (node.isPresent() && asItself(exchange, node.get(), name)) {
                    heartbeat(exchange, name);
                }
            }
            case "DELETE /v1/nodes/{}" -> {
                if (HttpApi.authorized(exchange, user)) {
                    forgetNode(exchange, name);
                }
            }
            default -> HttpApi.error(exchange, 404, "not_found", method + " " + raw
                    + " is not part of the gateway API; see /openapi.yaml");
        }
    }

    private static List<String> concat(List<String> a, String b, List<String> c) {
        List<String> all = new java.util.ArrayList<>(a);
        all.add(b);
        all.addAll(c);
        return all;
    }

    private void deploy(HttpExchange exchange) throws IOException, InterruptedException {
        String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        long limit = gateway.config().bodyLimitBytes();
        Deployer.Outcome outcome;
        try {
            if (type.startsWith("application/gzip") || type.startsWith("application/x-gzip")) {
                FunctionSettings settings = settingsFromQuery(exchange.getRequestURI().getRawQuery());
                byte[] archive = HttpApi.body(exchange, limit);
                // An archive may expand; bound it well above any sane function directory.
                outcome = gateway.deployer().deployArchive(archive, settings, Math.max(limit * 16, 64L << 20));
            } else {
                DeployRequest request = HttpApi.json(exchange, limit, DeployRequest.class);
                if (!gateway.config().allowHostPaths()) {
                    HttpApi.error(exchange, 403, "host_paths_disabled", "this gateway does not build directories of"
                            + " its own host; upload the function as a .tar.gz (Content-Type: application/gzip, or"
                            + " 'thaw deploy --upload DIR'). A gateway for local use only may be started with"
                            + " --allow-host-paths");
                    return;
                }
                if (request.path() == null) {
                    throw new IllegalArgumentException("the deploy request needs \"path\": the absolute path of the"
                            + " function directory on the gateway host, or send a .tar.gz as application/gzip");
                }
                DeploySettings s = request.settings() == null ? DeploySettings.NONE : request.settings();
                FunctionSettings settings = new FunctionSettings.Request(s.concurrency(), s.maxInstances(),
                        s.keepAliveMs(), s.queueSize(), s.queueTimeoutMs()).resolve();
                outcome = gateway.deployer().deploy(Path.of(request.path()), settings);
            }
        } catch (ManifestException e) {
            HttpApi.error(exchange, 400, "bad_manifest", e.getMessage());
            return;
        } catch (Archives.BadArchive e) {
            HttpApi.error(exchange, 400, "bad_archive", e.getMessage());
            return;
        } catch (HttpApi.TooLarge | IllegalArgumentException e) {
            throw e;
        } catch (Deployer.RegistryWriteException e) {
            HttpApi.error(exchange, e.conflict() ? 409 : 503, e.conflict() ? "conflict" : "registry_unavailable",
                    e.getMessage());
            return;
        } catch (IOException e) {
            HttpApi.internalError(exchange, LOG, e);
            return;
        }
        HttpApi.json(exchange, outcome.created() ? 201 : 200, gateway.view(outcome.function()));
    }

    static FunctionSettings settingsFromQuery(String rawQuery) {
        Map<String, String> q = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        List<String> known = List.of("concurrency", "maxInstances", "keepAliveMs", "queueSize", "queueTimeoutMs");
        for (String key : q.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; known: " + String.join(", ", known));
            }
        }
        try {
            return new FunctionSettings.Request(integer(q.get("concurrency")), integer(q.get("maxInstances")),
                    along(q.get("keepAliveMs")), integer(q.get("queueSize")), along(q.get("queueTimeoutMs"))).resolve();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("settings must be whole numbers: " + e.getMessage(), e);
        }
    }

    private static Integer integer(String v) {
        return v == null ? null : Integer.valueOf(v);
    }

    private static Long along(String v) {
        return v == null ? null : Long.valueOf(v);
    }

    private void invoke(HttpExchange exchange, String name, long accepted) throws IOException, InterruptedException {
        Optional<Router> router = gateway.functions().find(name).flatMap(f -> gateway.routers().find(name));
        if (router.isEmpty()) {
            unknownFunction(exchange, name);
            return;
        }
        byte[] body = HttpApi.body(exchange, gateway.config().bodyLimitBytes());
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        try {
            InvokeResult result = router.get().invoke(body, type, accepted);
            result.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            HttpApi.send(exchange, result.status(),
                    result.contentType() == null ? "application/octet-stream" : result.contentType(), result.body());
        } catch (InvokeException e) {
            e.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            HttpApi.error(exchange, e.status(), e.code(), e.getMessage());
        }
    }

    /**
     * The node whose own token the request carries; otherwise answers 401 (or 503 when the
     * binding cannot be read) and is empty. The join token, the user token and the tokens the
     * gateway calls nodes with are none of them.
     */
    private Optional<String> node(HttpExchange exchange) throws IOException {
        Optional<String> node;
        try {
            node = gateway.identities().authenticate(HttpApi.bearer(exchange));
        } catch (StoreException e) {
            HttpApi.error(exchange, 503, "registry_unavailable", "cannot read node bindings from the store: "
                    + e.getMessage());
            return Optional.empty();
        }
        if (node.isEmpty()) {
            HttpApi.unauthorized(exchange);
        }
        return node;
    }

    /** Whether {@code claimed} is the authenticated node; if not, answers 403. */
    private static boolean asItself(HttpExchange exchange, String node, String claimed) throws IOException {
        if (node.equals(claimed)) {
            return true;
        }
        HttpApi.error(exchange, 403, "wrong_node", "this credential belongs to node '" + node
                + "'; a node registers and reports only as itself, not as '" + claimed + "'");
        return false;
    }

    private void join(HttpExchange exchange) throws IOException {
        JoinRequest request = HttpApi.json(exchange, 64L * 1024, JoinRequest.class);
        try {
            boolean created = gateway.identities().join(request.node(), request.token());
            HttpApi.json(exchange, created ? 201 : 200, new JoinResponse(request.node()));
        } catch (NodeIdentities.NameTaken e) {
            HttpApi.error(exchange, 409, "node_name_taken", e.getMessage());
        } catch (StoreException e) {
            HttpApi.error(exchange, 503, "registry_unavailable", "cannot keep the node binding in the store: "
                    + e.getMessage());
        }
    }

    private void register(HttpExchange exchange, String node) throws IOException {
        RegisterRequest request = HttpApi.json(exchange, gateway.config().bodyLimitBytes(), RegisterRequest.class);
        if (!asItself(exchange, node, String.valueOf(request.node()))) {
            return;
        }
        try {
            // The gateway calls the node with a token that follows from the node's own, never with one
            // the node could present here or to another node.
            gateway.membership().register(request, NodeTokens.callToken(HttpApi.bearer(exchange)));
        } catch (Membership.Conflict e) {
            HttpApi.error(exchange, 409, "url_in_use", e.getMessage());
            return;
        }
        HttpApi.send(exchange, 204, null, new byte[0]);
    }

    private void forgetNode(HttpExchange exchange, String name) throws IOException {
        boolean bound;
        try {
            bound = gateway.identities().forget(name);
        } catch (StoreException e) {
            HttpApi.error(exchange, 503, "registry_unavailable", "cannot remove the node binding from the store: "
                    + e.getMessage());
            return;
        }
        var member = gateway.membership().find(name);
        member.filter(Member::alive).ifPresent(m -> gateway.membership().declareDead(m,
                "its binding was removed by an operator"));
        if (!bound && member.isEmpty()) {
            HttpApi.error(exchange, 404, "unknown_node", "no node '" + name + "' is bound or registered");
            return;
        }
        HttpApi.send(exchange, 204, null, new byte[0]);
    }

    private void heartbeat(HttpExchange exchange, String name) throws IOException {
        NodeStatus status = HttpApi.json(exchange, gateway.config().bodyLimitBytes(), NodeStatus.class);
        if (status.node() != null && !status.node().equals(name)) {
            throw new IllegalArgumentException("the heartbeat for '" + name + "' carries the status of '"
                    + status.node() + "'");
        }
        if (gateway.membership().heartbeat(name, status)) {
            HttpApi.send(exchange, 204, null, new byte[0]);
        } else {
            HttpApi.error(exchange, 404, "unknown_node", "node '" + name + "' is not registered (the gateway"
                    + " restarted or declared it dead); register again with POST /v1/nodes");
        }
    }

    private void delete(HttpExchange exchange, String name) throws IOException, InterruptedException {
        try {
            if (gateway.deployer().delete(name)) {
                HttpApi.send(exchange, 204, null, new byte[0]);
            } else {
                unknownFunction(exchange, name);
            }
        } catch (Deployer.RegistryWriteException e) {
            HttpApi.error(exchange, e.conflict() ? 409 : 503, e.conflict() ? "conflict" : "registry_unavailable",
                    e.getMessage());
        }
    }

    private void unknownFunction(HttpExchange exchange, String name) throws IOException {
        var problem = gateway.functions().problem(name);
        if (problem.isPresent() && !problem.get().serving()) {
            HttpApi.error(exchange, 503, "registry_record_unreadable", "function '" + name + "' has a registry record"
                    + " the gateway cannot serve (" + problem.get().key() + "): " + problem.get().problem());
            return;
        }
        HttpApi.error(exchange, 404, "unknown_function", "function '" + name
                + "' is not deployed; deploy it with POST /v1/functions");
    }

    private static void openapi(HttpExchange exchange) throws IOException {
        try (InputStream in = GatewayServer.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                HttpApi.error(exchange, 500, "internal", "openapi.yaml is missing from the gateway build");
                return;
            }
            HttpApi.send(exchange, 200, "application/yaml", in.readAllBytes());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
