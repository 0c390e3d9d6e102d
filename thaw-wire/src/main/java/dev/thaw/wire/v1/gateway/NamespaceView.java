package dev.thaw.wire.v1.gateway;

import java.time.Instant;

/**
 * A namespace as the gateway API shows it, with what its functions use of its quota.
 *
 * @param quota the limits (null fields: no limit)
 * @param usage the functions, instances and memory its functions reserve now, counted like the quota
 */
public record NamespaceView(String name, Instant createdAt, QuotaSettings quota, QuotaSettings usage) {
}
