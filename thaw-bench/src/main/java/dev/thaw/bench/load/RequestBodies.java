package dev.thaw.bench.load;

import dev.thaw.api.ContentTypes;
import dev.thaw.api.ExampleRequest;
import dev.thaw.api.FunctionName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses each function's request body, most specific first:
 *
 * <ol>
 *   <li>{@code --body-file NAME=FILE} for that function;
 *   <li>{@code --body TEXT} or {@code --body-file FILE} for every function;
 *   <li>{@code NAME.json}, {@code NAME.bin} (or {@code NAME.<ext>}) in the payloads directory;
 *   <li>the function's {@code example_request} from its manifest;
 *   <li>an empty body.
 * </ol>
 *
 * <p>A file's content type follows its extension; {@code --content-type} replaces it for every body given on the
 * command line or in the payloads directory (a manifest's example keeps the type it declares). Every file is read
 * here, before any request is sent, and every mistake is a {@link BadInput} naming the file or function.
 */
public final class RequestBodies {

    /** The user's choices. */
    public record Options(String body, Path bodyFile, Map<String, Path> perFunction, Path payloads,
            boolean payloadsRequired, String contentType) {
        public Options {
            perFunction = Map.copyOf(perFunction == null ? Map.of() : perFunction);
            if (body != null && bodyFile != null) {
                throw new BadInput("give --body or --body-file FILE, not both: both set the body of every function");
            }
            if (contentType != null) {
                try {
                    contentType = ContentTypes.requireValid(contentType);
                } catch (IllegalArgumentException e) {
                    throw new BadInput("--content-type: " + e.getMessage());
                }
            }
        }

        /** No body options: every function gets its example request, or nothing. */
        public static Options none() {
            return new Options(null, null, Map.of(), null, false, null);
        }

        /**
         * Options from {@code --body-file} values: {@code NAME=FILE} for one function, a plain {@code FILE} (at
         * most one) for all. A value whose part before '=' is not a function name is a file path; write
         * {@code ./a=b.json} for a file so named.
         */
        public static Options parse(String body, List<String> bodyFiles, Path payloads, boolean payloadsRequired,
                String contentType) {
            Path all = null;
            Map<String, Path> perFunction = new LinkedHashMap<>();
            for (String value : bodyFiles == null ? List.<String>of() : bodyFiles) {
                int eq = value.indexOf('=');
                if (eq > 0 && FunctionName.isValid(value.substring(0, eq))) {
                    String name = value.substring(0, eq);
                    if (value.length() == eq + 1) {
                        throw new BadInput("--body-file " + value + ": no file after '='");
                    }
                    if (perFunction.put(name, Path.of(value.substring(eq + 1))) != null) {
                        throw new BadInput("--body-file names function '" + name + "' twice");
                    }
                } else {
                    if (all != null) {
                        throw new BadInput("--body-file FILE given twice (" + all + ", " + value + "); use "
                                + "--body-file NAME=FILE for one function");
                    }
                    all = Path.of(value);
                }
            }
            return new Options(body, all, perFunction, payloads, payloadsRequired, contentType);
        }
    }

    /** A mistake in the body options, found before anything is sent. */
    public static final class BadInput extends IllegalArgumentException {
        public BadInput(String message) {
            super(message);
        }
    }

    /** The bodies chosen, in the order of {@code functions}, and warnings such as unused payload files. */
    public record Choice(Map<String, RequestBody> bodies, List<String> warnings) {
        public Choice {
            bodies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bodies));
            warnings = List.copyOf(warnings);
        }

        public RequestBody of(String function) {
            RequestBody body = bodies.get(function);
            return body != null ? body : RequestBody.empty("no body given");
        }
    }

    private RequestBodies() {
    }

    /**
     * @param functions the functions the run invokes
     * @param examples the functions' example requests, where they declare one
     * @param limitBytes the gateway's body limit; a larger body is an error (0: no limit known)
     */
    public static Choice choose(Options options, List<String> functions, Map<String, ExampleRequest> examples,
            long limitBytes) {
        Objects.requireNonNull(options, "options");
        long limit = limitBytes > 0 ? limitBytes : ExampleRequest.MAX_BYTES;
        for (String name : options.perFunction().keySet()) {
            if (!functions.contains(name)) {
                throw new BadInput("--body-file " + name + "=" + options.perFunction().get(name) + ": function '"
                        + name + "' is not " + (functions.isEmpty() ? "deployed" : "deployed or not loaded here; "
                        + "functions: " + String.join(", ", functions)));
            }
        }
        List<String> warnings = new ArrayList<>();
        Map<String, Path> payloadFiles = payloadFiles(options, functions, warnings);
        RequestBody all = null;
        if (options.body() != null) {
            all = typed(RequestBody.text(options.body(), "--body"), options.contentType());
            checkSize(all.bytes().length, limit, "--body");
        } else if (options.bodyFile() != null) {
            all = typed(read(options.bodyFile(), limit, "--body-file " + options.bodyFile()),
                    options.contentType());
        }
        Map<String, RequestBody> bodies = new LinkedHashMap<>();
        for (String function : functions) {
            RequestBody body;
            Path own = options.perFunction().get(function);
            if (own != null) {
                body = typed(read(own, limit, "--body-file " + function + "=" + own), options.contentType());
            } else if (all != null) {
                body = all;
            } else if (payloadFiles.containsKey(function)) {
                body = typed(read(payloadFiles.get(function), limit, "payload " + payloadFiles.get(function)),
                        options.contentType());
            } else if (examples.containsKey(function)) {
                ExampleRequest example = examples.get(function);
                checkSize(example.body().length, limit, "the example_request of '" + function + "'");
                body = new RequestBody(example.body(), example.contentType(), "example_request");
            } else {
                body = RequestBody.empty("no body given, no example_request");
            }
            bodies.put(function, body);
        }
        return new Choice(bodies, warnings);
    }

    /** {@code NAME.<ext>} files in the payloads directory, by function. */
    private static Map<String, Path> payloadFiles(Options options, List<String> functions, List<String> warnings) {
        Map<String, Path> files = new LinkedHashMap<>();
        Path dir = options.payloads();
        if (dir == null) {
            return files;
        }
        if (!Files.isDirectory(dir)) {
            if (options.payloadsRequired()) {
                throw new BadInput("--payloads " + dir + ": " + (Files.exists(dir) ? "not a directory"
                        : "no such directory"));
            }
            return files;
        }
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path file : entries) {
                if (++seen > 100_000) {
                    throw new BadInput("payloads directory " + dir + " has over 100000 entries");
                }
                String name = file.getFileName().toString();
                int dot = name.lastIndexOf('.');
                if (dot <= 0 || name.startsWith(".") || !Files.isRegularFile(file)) {
                    continue;
                }
                String function = name.substring(0, dot);
                if (!functions.contains(function)) {
                    warnings.add("payload " + file + " is not used: no function '" + function + "' is loaded");
                    continue;
                }
                Path other = files.put(function, file);
                if (other != null) {
                    throw new BadInput("payloads for '" + function + "' are ambiguous: both " + other + " and "
                            + file + "; keep one");
                }
            }
        } catch (IOException e) {
            throw new BadInput("cannot list payloads directory " + dir + ": " + e.getMessage());
        }
        return files;
    }

    private static RequestBody typed(RequestBody body, String contentType) {
        return contentType == null ? body : body.withContentType(contentType);
    }

    /**
     * Reads a body file of at most {@code limit} bytes; its content type follows its extension.
     *
     * @param what how the user named the file, for messages
     */
    static RequestBody read(Path file, long limit, String what) {
        if (!Files.exists(file)) {
            throw new BadInput(what + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInput(what + ": not a regular file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                long size = Files.size(file);
                checkSize(Math.max(size, bytes.length), limit, what);
            }
            return new RequestBody(bytes, ContentTypes.forFile(file), file.toString());
        } catch (IOException e) {
            throw new BadInput(what + ": cannot read: " + e.getMessage());
        }
    }

    private static void checkSize(long bytes, long limit, String what) {
        if (bytes > limit) {
            throw new BadInput(what + " is " + bytes + " bytes, over the gateway's body limit of " + limit
                    + " bytes: the gateway would answer 413");
        }
    }
}
