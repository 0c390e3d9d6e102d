package dev.thaw.node.api;

import dev.thaw.node.StartRecord;
import java.time.Instant;

/** One running instance as a node reports it. */
public record InstanceView(String id, String function, String revision, Instant startedAt, StartRecord start) {
}
