package dev.thaw.wire.v1.node;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A node's answer to a prefetch: how many bytes it fetched from the store (0 when the snapshot was cached). */
public record PrefetchResponse(@JsonProperty("fetched_bytes") long fetchedBytes) {
}
