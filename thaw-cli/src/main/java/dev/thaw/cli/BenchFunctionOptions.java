package dev.thaw.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of a benchmark that runs one function several times: which function, how often, with what body. */
final class BenchFunctionOptions {
    @Option(names = "--function", required = true, paramLabel = "DIR", description = "function directory")
    Path function;

    @Option(names = "--runs", defaultValue = "10", paramLabel = "N",
            description = "samples per configuration (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--body", defaultValue = "", description = "request body sent as the first request")
    String body;

    /** Refuses values no run can use. */
    void check() {
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1");
        }
    }

    Path function() {
        return function;
    }

    int runs() {
        return runs;
    }

    byte[] body() {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
