package dev.thaw.wire.v1.node;

import java.time.Instant;

/** One running instance as a node reports it. */
public record InstanceView(String id, String function, String revision, Instant startedAt, StartReport start) {
}
