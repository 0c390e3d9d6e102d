package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.thaw.control.functions.FunctionSettings;

/**
 * A ThawFunction's settings, the same the gateway's deploy takes ({@link FunctionSettings});
 * each optional, null for the default.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ThawFunctionSettings(Integer concurrency, Integer maxInstances, Long keepAliveMs, Integer queueSize,
        Long queueTimeoutMs) {

    public static final ThawFunctionSettings NONE = new ThawFunctionSettings(null, null, null, null, null);

    /** Every field set, as {@code settings} says. */
    public static ThawFunctionSettings of(FunctionSettings settings) {
        return new ThawFunctionSettings(settings.concurrency(), settings.maxInstances(), settings.keepAliveMs(),
                settings.queueSize(), settings.queueTimeoutMs());
    }

    /** As a deploy request would give them. */
    public FunctionSettings.Request request() {
        return new FunctionSettings.Request(concurrency, maxInstances, keepAliveMs, queueSize, queueTimeoutMs);
    }

    /**
     * These settings with defaults filled in.
     *
     * @throws IllegalArgumentException naming the field out of range
     */
    public FunctionSettings resolve() {
        return request().resolve();
    }
}
