package dev.thaw.node;

import dev.thaw.api.FunctionName;
import dev.thaw.snapshot.cache.EvictionPolicy;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How one node runs.
 *
 * @param name the node's name, recorded in the snapshots it takes
 * @param workDir holds the snapshot cache ({@code cache/}) and scratch space ({@code scratch/}); one file system,
 *     so snapshots move into the cache by rename
 * @param cacheBudgetBytes the byte budget the snapshot and image cache and the chunk cache share (one
 *     {@link dev.thaw.snapshot.cache.DiskBudget}); 0 means remote snapshots are fetched per start and not kept
 * @param prestart VMMs kept started per cached snapshot, so a restore skips the process start (the clone tier)
 * @param cacheEviction the cache's eviction policy, one of {@link EvictionPolicy#NAMES}
 */
public record NodeConfig(String name, SnapshotMode mode, Path workDir, long cacheBudgetBytes, int prestart,
        String cacheEviction) {

    public NodeConfig(String name, SnapshotMode mode, Path workDir, long cacheBudgetBytes, int prestart) {
        this(name, mode, workDir, cacheBudgetBytes, prestart, "lru");
    }

    public NodeConfig {
        if (!FunctionName.isValid(name)) {
            throw new IllegalArgumentException("node name must be a lower-case name like 'node-1', got '" + name + "'");
        }
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(workDir, "workDir");
        if (cacheBudgetBytes < 0) {
            throw new IllegalArgumentException("cache budget must be >= 0 bytes, got " + cacheBudgetBytes);
        }
        EvictionPolicy.parse(cacheEviction);
        if (prestart < 0) {
            throw new IllegalArgumentException("prestart must be >= 0, got " + prestart);
        }
    }

    public Path cacheDir() {
        return workDir.resolve("cache");
    }

    public Path scratchDir() {
        return workDir.resolve("scratch");
    }
}
