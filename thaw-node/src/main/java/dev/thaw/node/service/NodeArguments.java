package dev.thaw.node.service;

import dev.thaw.node.http.ListenAddress;
import dev.thaw.node.SnapshotMode;
import dev.thaw.snapshot.store.S3Config;
import java.net.URI;
import dev.thaw.snapshot.cache.EvictionPolicy;
import dev.thaw.http.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The node agent's command line, {@code --option=value} only, turned into a
 * {@link NodeServiceConfig}. Secrets come from the environment so they stay out
 * of process lists. Every mistake is an {@link IllegalArgumentException} whose
 * message names the option.
 */
public final class NodeArguments {
    public static final String TOKEN_ENV = "THAW_NODE_TOKEN";
    public static final String S3_ACCESS_KEY_ENV = "THAW_S3_ACCESS_KEY";
    public static final String S3_SECRET_KEY_ENV = "THAW_S3_SECRET_KEY";
    /** The most memory or cache a node may be given: 16 TiB, in MiB. */
    static final long MAX_MIB = 16L << 20;

    public static final String USAGE = """
            usage: thaw-node --name=NAME [options]
              --name=NAME              this node's name in the cluster (required)
              --listen=HOST:PORT       where the API listens (default 127.0.0.1:0, 0 picks a free port)
              --public-url=URL         where the gateway reaches this node (default: from the bound address)
              --token-file=FILE        read the join token from FILE (default: $THAW_NODE_TOKEN); never
                                       on the command line, where every user of the host could read it.
                                       With --gateway the node joins once and keeps its own credential in
                                       WORK_DIR/identity.json; without, it is the one token its API accepts
              --gateway=URL            register and heartbeat there (default: standalone)
              --heartbeat-ms=MS        heartbeat interval (default 1000)
              --mode=MODE              snapshots: disabled, local or remote (default local)
              --work-dir=DIR           cache and scratch space (default THAW_HOME/nodes/NAME)
              --cache-budget-mib=MIB   snapshot and image cache size (default 4096)
              --cache-eviction=POLICY  which cache entries go first: lru, lfu or gdsf (default lru)
              --memory-mib=MIB         guest memory for instances (default 4096)
              --slots=N                instances at once (default 8)
              --body-limit-mib=MIB     largest request body (default 6)
              --prestart=N             VMMs kept started per cached snapshot (default 0)
              --s3-endpoint=URL        S3-compatible store, credentials from $THAW_S3_ACCESS_KEY and $THAW_S3_SECRET_KEY
              --s3-bucket=NAME         (default thaw)
              --s3-region=REGION       (default us-east-1)
              --thaw-home=DIR          guest kernel cache (default $THAW_HOME, else ~/.thaw)
              --tls-cert=FILE          serve HTTPS with this PEM certificate chain (with --tls-key)
              --tls-key=FILE           the PEM (PKCS#8, unencrypted) private key of --tls-cert
              --tls-ca=FILE            PEM CA certificate(s) an https:// gateway is verified against
                                       (default: the JDK's trust store)
            """;

    private static final Set<String> OPTIONS = Set.of("name", "listen", "public-url", "token-file", "gateway",
            "heartbeat-ms", "mode", "work-dir", "cache-budget-mib", "cache-eviction", "memory-mib", "slots", "body-limit-mib", "prestart",
            "s3-endpoint", "s3-bucket", "s3-region", "thaw-home", "tls-cert", "tls-key", "tls-ca");

    private NodeArguments() {
    }

    /** Whether the user asked for the usage text. */
    public static boolean wantsHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /** @param env the process environment (a map, so tests need not set real variables) */
    public static NodeServiceConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': options look like --name=value");
            }
            String option = arg.substring(2, eq);
            if (option.equals("token")) {
                throw new IllegalArgumentException("--token is not accepted: a token on the command line is visible"
                        + " to every user of the host; put it in $" + TOKEN_ENV + " or in a file for --token-file");
            }
            if (!OPTIONS.contains(option)) {
                throw new IllegalArgumentException("unknown option --" + option + "; see --help");
            }
            if (given.put(option, arg.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("--" + option + " is given twice");
            }
        }
        String name = given.get("name");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("--name is required, e.g. --name=node-1");
        }
        String listen = given.getOrDefault("listen", "127.0.0.1:0");
        ListenAddress address = ListenAddress.parse(listen, "0.0.0.0:7070");
        String host = address.host();
        int port = address.port();
        String token = given.containsKey("token-file") ? tokenFile(given.get("token-file")) : env.get(TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a node token is required: $" + TOKEN_ENV + " or --token-file=FILE");
        }
        Path thawHome = thawHome(given, env);
        SnapshotMode mode = SnapshotMode.parse(given.getOrDefault("mode", "local"));
        Path workDir = Path.of(given.getOrDefault("work-dir", thawHome.resolve("nodes").resolve(name).toString()))
                .toAbsolutePath();
        return new NodeServiceConfig(name, host, port, url(given, "public-url"), token, url(given, "gateway"),
                Duration.ofMillis(number(given, "heartbeat-ms", 1000, 1, 60_000)),
                number(given, "memory-mib", NodeServiceConfig.DEFAULT_MEMORY_MIB, 1, MAX_MIB),
                (int) number(given, "slots", NodeServiceConfig.DEFAULT_SLOTS, 1, 100_000),
                number(given, "body-limit-mib", 6, 1, 1024) << 20, mode, workDir,
                number(given, "cache-budget-mib", NodeServiceConfig.DEFAULT_CACHE_BUDGET >> 20, 0,
                        MAX_MIB) << 20,
                (int) number(given, "prestart", 0, 0, 64), s3(given, env), thawHome,
                EvictionPolicy.parse(given.getOrDefault("cache-eviction", "lru")).name());
    }

    /** The TLS files among {@code args} (already checked by {@link #parse}). */
    public static TlsSettings tls(String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (arg.startsWith("--tls-") && eq > 0) {
                given.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
        }
        return new TlsSettings(Optional.ofNullable(given.get("tls-cert")).map(Path::of),
                Optional.ofNullable(given.get("tls-key")).map(Path::of),
                Optional.ofNullable(given.get("tls-ca")).map(Path::of));
    }

    /** The token in {@code file}: its first line, at most 4 KiB read. */
    static String tokenFile(String file) {
        try (var in = java.nio.file.Files.newInputStream(Path.of(file))) {
            byte[] bytes = in.readNBytes(4097);
            if (bytes.length > 4096) {
                throw new IllegalArgumentException("--token-file " + file + " is larger than 4096 bytes; it must hold"
                        + " only the token");
            }
            String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
            if (text.isEmpty() || text.contains("\n")) {
                throw new IllegalArgumentException("--token-file " + file + " must hold the token on one line");
            }
            return text;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--token-file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static Path thawHome(Map<String, String> given, Map<String, String> env) {
        String home = given.get("thaw-home");
        if (home == null || home.isBlank()) {
            home = env.get("THAW_HOME");
        }
        if (home == null || home.isBlank()) {
            String user = env.getOrDefault("HOME", System.getProperty("user.home"));
            return Path.of(user, ".thaw").toAbsolutePath();
        }
        return Path.of(home).toAbsolutePath();
    }

    private static Optional<S3Config> s3(Map<String, String> given, Map<String, String> env) {
        String endpoint = given.get("s3-endpoint");
        if (endpoint == null) {
            if (given.containsKey("s3-bucket") || given.containsKey("s3-region")) {
                throw new IllegalArgumentException("--s3-bucket and --s3-region need --s3-endpoint");
            }
            return Optional.empty();
        }
        String access = env.get(S3_ACCESS_KEY_ENV);
        String secret = env.get(S3_SECRET_KEY_ENV);
        if (access == null || access.isBlank() || secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("--s3-endpoint needs credentials in $" + S3_ACCESS_KEY_ENV + " and $"
                    + S3_SECRET_KEY_ENV);
        }
        return Optional.of(new S3Config(uri("s3-endpoint", endpoint), given.getOrDefault("s3-region", "us-east-1"),
                given.getOrDefault("s3-bucket", "thaw"), access, secret, true));
    }

    private static Optional<URI> url(Map<String, String> given, String option) {
        String value = given.get(option);
        return value == null ? Optional.empty() : Optional.of(uri(option, value));
    }

    private static URI uri(String option, String value) {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + option + " must be an http:// or https:// URL, got '" + value
                    + "'");
        }
    }

    private static long number(Map<String, String> given, String option, long fallback, long min, long max) {
        String value = given.get(option);
        return value == null ? fallback : parseNumber(option, value, min, max);
    }

    private static long parseNumber(String option, String value, long min, long max) {
        try {
            long n = Long.parseLong(value.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + option + " needs a number from " + min + " to " + max
                    + ", got '" + value + "'");
        }
    }
}
