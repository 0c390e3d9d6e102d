package dev.thaw.control;

import dev.thaw.api.FunctionId;
import dev.thaw.api.Json;
import dev.thaw.control.functions.Archives;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.node.http.ApiClient;
import dev.thaw.wire.v1.gateway.ClusterStatus;
import dev.thaw.wire.v1.gateway.DeployRequest;
import dev.thaw.wire.v1.gateway.DeploySettings;
import dev.thaw.wire.v1.gateway.FunctionView;
import dev.thaw.wire.v1.gateway.NamespaceRequest;
import dev.thaw.wire.v1.gateway.NamespaceView;
import dev.thaw.wire.v1.gateway.NodeSummary;
import dev.thaw.wire.v1.gateway.QuotaSettings;
import dev.thaw.wire.v1.gateway.TokenRequest;
import dev.thaw.wire.v1.gateway.TokenView;
import dev.thaw.http.ClientOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The gateway's user API for the CLI and tests, with the admin token or a namespace token. Function
 * calls go to one namespace ({@code default} unless {@link #inNamespace} names another).
 */
public final class GatewayClient {
    private static final Duration CALL = Duration.ofSeconds(30);
    /** Deploys build images; the first build of a base can take minutes. */
    private static final Duration DEPLOY = Duration.ofMinutes(10);

    private final ApiClient api;
    private final String namespace;

    public GatewayClient(URI gateway, String apiToken) {
        this(gateway, apiToken, java.util.Optional.empty());
    }

    /** @param tlsCa the PEM CA file an {@code https://} gateway is verified against (none: the JDK's trust store) */
    public GatewayClient(URI gateway, String apiToken, java.util.Optional<java.nio.file.Path> tlsCa) {
        this(new ApiClient(gateway, apiToken, ClientOptions.of(Duration.ofSeconds(5)).withTlsCa(tlsCa)),
                FunctionId.DEFAULT);
    }

    private GatewayClient(ApiClient api, String namespace) {
        this.api = api;
        this.namespace = FunctionId.requireNamespace(namespace);
    }

    /** This client, for the functions of {@code namespace}. */
    public GatewayClient inNamespace(String namespace) {
        return new GatewayClient(api, namespace);
    }

    /** The namespace this client's function calls go to. */
    public String namespace() {
        return namespace;
    }

    private String functions() {
        return "v1/namespaces/" + namespace + "/functions";
    }

    /** An invocation's answer, any status. */
    public record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }

        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A deploy's result: {@code created} is false when the code was unchanged (same revision). */
    public record Deployed(FunctionView function, boolean created) {
    }

    /** Deploys the function directory {@code dir}, which must be readable by the gateway at the same path. */
    public Deployed deploy(java.nio.file.Path dir, FunctionSettings.Request settings)
            throws IOException, InterruptedException {
        DeploySettings wire = settings == null ? null : new DeploySettings(settings.concurrency(),
                settings.maxInstances(), settings.keepAliveMs(), settings.queueSize(), settings.queueTimeoutMs());
        byte[] body = Json.mapper().writeValueAsBytes(new DeployRequest(dir.toAbsolutePath().toString(), wire));
        return deployed(api.call("POST", functions(), body, Map.of("Content-Type", "application/json"), DEPLOY));
    }

    /** Uploads {@code dir} as a .tar.gz, for a gateway on another machine. */
    public Deployed upload(java.nio.file.Path dir, FunctionSettings.Request settings)
            throws IOException, InterruptedException {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        if (settings != null) {
            add(query, "concurrency", settings.concurrency());
            add(query, "maxInstances", settings.maxInstances());
            add(query, "keepAliveMs", settings.keepAliveMs());
            add(query, "queueSize", settings.queueSize());
            add(query, "queueTimeoutMs", settings.queueTimeoutMs());
        }
        return deployed(api.call("POST", functions() + query, Archives.tarGz(dir),
                Map.of("Content-Type", "application/gzip"), DEPLOY));
    }

    private static void add(StringJoiner query, String key, Object value) {
        if (value != null) {
            query.add(key + "=" + value);
        }
    }

    private static Deployed deployed(HttpResponse<byte[]> response) throws IOException {
        ApiClient.check(response);
        return new Deployed(Json.mapper().readValue(response.body(), FunctionView.class), response.statusCode() == 201);
    }

    public List<FunctionView> list() throws IOException, InterruptedException {
        return List.of(api.json("GET", functions(), null, FunctionView[].class, CALL));
    }

    public FunctionView describe(String name) throws IOException, InterruptedException {
        return api.json("GET", functions() + "/" + name, null, FunctionView.class, CALL);
    }

    public void delete(String name) throws IOException, InterruptedException {
        api.json("DELETE", functions() + "/" + name, null, null, DEPLOY);
    }

    public Answer invoke(String name, byte[] body) throws IOException, InterruptedException {
        return invoke(name, body, "application/octet-stream");
    }

    public Answer invoke(String name, byte[] body, String contentType) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = api.call("POST", functions() + "/" + name + "/invoke", body,
                Map.of("Content-Type", contentType), Duration.ofMinutes(16));
        return new Answer(response.statusCode(), response.headers().map(), response.body());
    }

    public List<NodeSummary> nodes() throws IOException, InterruptedException {
        return List.of(api.json("GET", "v1/nodes", null, NodeSummary[].class, CALL));
    }

    /** The gateway's Prometheus metrics, as text. */
    public String metrics() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = api.call("GET", "metrics", null, Map.of(), CALL);
        ApiClient.check(response);
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    public ClusterStatus status() throws IOException, InterruptedException {
        return api.json("GET", "v1/status", null, ClusterStatus.class, CALL);
    }

    /** The namespaces this client's token reaches (all of them for the admin token). */
    public List<NamespaceView> namespaces() throws IOException, InterruptedException {
        return List.of(api.json("GET", "v1/namespaces", null, NamespaceView[].class, CALL));
    }

    public NamespaceView createNamespace(String name, QuotaSettings quota) throws IOException, InterruptedException {
        return api.json("POST", "v1/namespaces", new NamespaceRequest(name, quota), NamespaceView.class, CALL);
    }

    public NamespaceView setQuota(String name, QuotaSettings quota) throws IOException, InterruptedException {
        return api.json("PUT", "v1/namespaces/" + name + "/quota", quota, NamespaceView.class, CALL);
    }

    public void deleteNamespace(String name) throws IOException, InterruptedException {
        api.json("DELETE", "v1/namespaces/" + name, null, null, CALL);
    }

    /** Issues a token; the answer is the only place its secret ({@link TokenView#token()}) is shown. */
    public TokenView issueToken(List<String> namespaces, java.time.Instant expiresAt, String description)
            throws IOException, InterruptedException {
        return api.json("POST", "v1/tokens", new TokenRequest(namespaces, expiresAt, description), TokenView.class,
                CALL);
    }

    public List<TokenView> tokens() throws IOException, InterruptedException {
        return List.of(api.json("GET", "v1/tokens", null, TokenView[].class, CALL));
    }

    public void revokeToken(String id) throws IOException, InterruptedException {
        api.json("DELETE", "v1/tokens/" + id, null, null, CALL);
    }
}
