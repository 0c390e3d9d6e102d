package dev.thaw.wire.v1.gateway;

/**
 * A namespace's quota; each limit is optional (null: no limit).
 *
 * @param functions functions deployed in the namespace at most
 * @param instances the sum of its functions' {@code maxInstances} at most
 * @param memoryMib the sum of its functions' {@code maxInstances} times their memory (MiB) at most
 */
public record QuotaSettings(Integer functions, Integer instances, Long memoryMib) {
    public static final QuotaSettings NONE = new QuotaSettings(null, null, null);
}
