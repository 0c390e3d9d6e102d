package dev.thaw.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes function manifests ({@code thaw.yaml}).
 *
 * <p>Format (all keys at top level; any other key is an error):
 *
 * <pre>{@code
 * name: hello              # required, see FunctionName
 * runtime: python3         # required, see Runtime
 * handler: main:handle     # required, module:function
 * memory_mib: 256          # optional, default 256
 * vcpus: 1                 # optional, default 1
 * timeout_ms: 30000        # optional, default 30000, at most 900000
 * env:                     # optional; values may be strings, numbers or booleans,
 *   GREETING: hi           #   kept exactly as written (3.10 stays "3.10")
 * packages: [python3-pil]  # optional extra Debian packages
 * example_request:         # optional sample request for load tools, see ExampleRequests
 *   body: '{"n": 1}'       #   text, or a YAML mapping/list sent as JSON; or
 *   file: request.json     #   a file in the function directory
 *   content_type: application/json   # optional; default from the file's extension
 * }</pre>
 *
 * <p>All failures are {@link ManifestException}s naming the file and the offending field.
 */
public final class FunctionManifests {

    /** The manifest's file name inside a function directory. */
    public static final String MANIFEST_FILE = "thaw.yaml";
    /** The largest manifest read, in bytes. */
    public static final int MAX_MANIFEST_BYTES = 1 << 20;

    static final String NAME = "name";
    static final String RUNTIME = "runtime";
    static final String HANDLER = "handler";
    static final String MEMORY_MIB = "memory_mib";
    static final String VCPUS = "vcpus";
    static final String TIMEOUT_MS = "timeout_ms";
    static final String ENV = "env";
    static final String PACKAGES = "packages";
    static final String EXAMPLE_REQUEST = "example_request";

    private static final List<String> KNOWN_FIELDS =
            List.of(NAME, RUNTIME, HANDLER, MEMORY_MIB, VCPUS, TIMEOUT_MS, ENV, PACKAGES, EXAMPLE_REQUEST);

    // Writing quotes every string: a plain scalar such as 0x1f or yes would read back as a number
    // or boolean, and Jackson's "minimize quotes" mode does not catch all such cases.
    private static final YAMLMapper WRITER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    private FunctionManifests() {}

    /**
     * Reads {@code functionDir/thaw.yaml} and checks that the handler's module exists in
     * {@code functionDir}: for {@code pkg.mod:fn}, either {@code pkg/mod.py} or
     * {@code pkg/mod/__init__.py}.
     *
     * @throws ManifestException if the file is missing, unreadable, not UTF-8, not valid YAML,
     *     invalid, the handler module is missing, or its example request's file cannot be used
     */
    public static FunctionManifest read(Path functionDir) throws ManifestException {
        return load(functionDir).manifest();
    }

    /**
     * The manifest's {@code example_request}, with its file (if any) read from {@code functionDir}.
     *
     * @throws ManifestException if the manifest is invalid (as {@link #read}), or the example's file is missing,
     *     outside the directory or over {@link ExampleRequest#MAX_BYTES}
     */
    public static java.util.Optional<ExampleRequest> exampleRequest(Path functionDir) throws ManifestException {
        return load(functionDir).example();
    }

    private record Loaded(FunctionManifest manifest, java.util.Optional<ExampleRequest> example) {
    }

    private static Loaded load(Path functionDir) throws ManifestException {
        Path file = functionDir.resolve(MANIFEST_FILE);
        String yaml;
        try {
            yaml = readManifest(file);
        } catch (NoSuchFileException e) {
            throw new ManifestException(file, "not found: every function directory needs a "
                    + MANIFEST_FILE + " with at least name, runtime and handler", e);
        } catch (CharacterCodingException e) {
            throw new ManifestException(file, "not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new ManifestException(file, "cannot read: " + e, e);
        }
        FunctionManifest manifest = parse(yaml, file);
        checkHandlerModule(functionDir, manifest.handler(), file);
        // A broken example request fails the deploy, not the first load test.
        return new Loaded(manifest, ExampleRequests.resolve(ExampleRequests.spec(fields(yaml, file)), functionDir,
                file));
    }

    /**
     * The manifest's text, read without following a link (a link could name any file of the
     * host, whose content a parse error would then quote), and bounded.
     */
    private static String readManifest(Path file) throws IOException, ManifestException {
        java.nio.file.attribute.BasicFileAttributes attributes = Files.readAttributes(file,
                java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            throw new ManifestException(file, (attributes.isSymbolicLink() ? "is a symbolic link" : "is not a file")
                    + "; " + MANIFEST_FILE + " must be a regular file in the function directory");
        }
        try (java.nio.channels.SeekableByteChannel channel = Files.newByteChannel(file,
                java.util.Set.of(java.nio.file.StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS));
                java.io.InputStream in = java.nio.channels.Channels.newInputStream(channel)) {
            byte[] bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (bytes.length > MAX_MANIFEST_BYTES) {
                throw new ManifestException(file, "is larger than " + MAX_MANIFEST_BYTES + " bytes");
            }
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        }
    }

    private static ManifestFields fields(String yaml, Path file) throws ManifestException {
        return new ManifestFields(file, rootMapping(yaml, file));
    }

    /**
     * Parses manifest text without touching the file system (no handler module check).
     *
     * @param sourceForMessages the path to name in error messages
     * @throws ManifestException if the text is empty, not valid YAML, or invalid
     */
    public static FunctionManifest parse(String yaml, Path sourceForMessages) throws ManifestException {
        ManifestFields fields = fields(yaml, sourceForMessages);
        fields.rejectUnknownKeys(KNOWN_FIELDS);
        ExampleRequests.spec(fields);

        String name = fields.requiredString(NAME, "a function name such as 'hello'");
        try {
            FunctionName.requireValid(name);
        } catch (IllegalArgumentException e) {
            throw fields.fieldError(NAME, e.getMessage());
        }
        Runtime runtime;
        try {
            runtime = Runtime.fromId(fields.requiredString(RUNTIME, "a runtime id such as 'python3'"));
        } catch (IllegalArgumentException e) {
            throw fields.fieldError(RUNTIME, e.getMessage());
        }
        Handler handler;
        try {
            handler = Handler.parse(fields.requiredString(HANDLER, "'module:function', e.g. 'main:handle'"));
        } catch (IllegalArgumentException e) {
            throw fields.fieldError(HANDLER, e.getMessage());
        }
        int memoryMib = (int) fields.optionalInteger(MEMORY_MIB, MachineShape.MIN_MEMORY_MIB,
                MachineShape.MAX_MEMORY_MIB, MachineShape.DEFAULT.memoryMib(), " (MiB)");
        int vcpus = (int) fields.optionalInteger(VCPUS, MachineShape.MIN_VCPUS, MachineShape.MAX_VCPUS,
                MachineShape.DEFAULT.vcpus(), "");
        long timeoutMs = fields.optionalInteger(TIMEOUT_MS, 1, FunctionManifest.MAX_TIMEOUT.toMillis(),
                FunctionManifest.DEFAULT_TIMEOUT.toMillis(), " (milliseconds)");

        Map<String, String> env = fields.optionalStringMap(ENV);
        for (Map.Entry<String, String> e : env.entrySet()) {
            try {
                FunctionManifest.checkEnvKey(e.getKey());
                FunctionManifest.checkEnvValue(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw fields.fieldError(ENV, ex.getMessage());
            }
        }
        List<String> packages = fields.optionalStringList(PACKAGES, "Debian package names");
        for (String pkg : packages) {
            try {
                FunctionManifest.checkPackage(pkg);
            } catch (IllegalArgumentException ex) {
                throw fields.fieldError(PACKAGES, ex.getMessage());
            }
        }

        try {
            return new FunctionManifest(name, runtime, handler, new MachineShape(memoryMib, vcpus), env,
                    Duration.ofMillis(timeoutMs), packages);
        } catch (IllegalArgumentException e) {
            // Unreachable while the checks above mirror the record's; kept so a drift still names the file.
            throw fields.error(e.getMessage());
        }
    }

    /**
     * Writes a manifest as YAML that {@link #parse} reads back to an equal manifest. Every field is
     * written, defaults included, in the order of the format above.
     */
    public static String toYaml(FunctionManifest manifest) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode root = nodes.objectNode();
        root.put(NAME, manifest.name());
        root.put(RUNTIME, manifest.runtime().id());
        root.put(HANDLER, manifest.handler().toString());
        root.put(MEMORY_MIB, manifest.shape().memoryMib());
        root.put(VCPUS, manifest.shape().vcpus());
        root.put(TIMEOUT_MS, manifest.timeout().toMillis());
        ObjectNode env = root.putObject(ENV);
        manifest.env().forEach(env::put);
        ArrayNode packages = root.putArray(PACKAGES);
        manifest.packages().forEach(packages::add);
        try {
            return WRITER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write manifest " + manifest.name() + " as YAML", e);
        }
    }

    private static ObjectNode rootMapping(String yaml, Path file) throws ManifestException {
        List<JsonNode> documents;
        try {
            documents = YamlTree.readDocuments(yaml, Set.of(ENV));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ManifestException(file, "malformed YAML" + where + ": " + e.getOriginalMessage().strip(), e);
        } catch (IOException e) {
            throw new ManifestException(file, "cannot parse YAML: " + e, e); // reading a String: not expected
        }
        if (documents.size() > 1) {
            throw new ManifestException(file, "expected one YAML document, found " + documents.size()
                    + " (separated by '---')");
        }
        if (documents.isEmpty() || documents.getFirst().isNull()) {
            throw new ManifestException(file, "manifest is empty; expected at least the fields name, runtime and handler");
        }
        JsonNode root = documents.getFirst();
        if (!root.isObject()) {
            throw new ManifestException(file, "expected a mapping of fields (name: ..., runtime: ..., handler: ...), got "
                    + ManifestFields.describe(root));
        }
        return (ObjectNode) root;
    }

    /** The handler's module must be importable from the function directory. */
    private static void checkHandlerModule(Path functionDir, Handler handler, Path file) throws ManifestException {
        String modulePath = handler.module().replace('.', '/');
        Path moduleFile = functionDir.resolve(modulePath + ".py");
        Path packageInit = functionDir.resolve(modulePath).resolve("__init__.py");
        if (!Files.isRegularFile(moduleFile) && !Files.isRegularFile(packageInit)) {
            throw new ManifestException(file, "handler module '" + handler.module() + "' not found: expected "
                    + modulePath + ".py in " + functionDir + " (or " + modulePath + "/__init__.py)");
        }
    }
}
