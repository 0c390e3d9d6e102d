package dev.thaw.snapshot.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Removes chunk objects that no snapshot or image manifest names: a mark over every {@code info.json}
 * under {@code snapshots/} and {@code images/}, then a sweep of {@code chunks/}.
 *
 * <p>The race it guards against: a publisher checks that a chunk exists (and so skips uploading
 * it) while a collector, which has not yet seen that publisher's manifest, finds the chunk unused
 * and deletes it; the manifest then names a chunk that is gone. Collectors and publishers exclude
 * each other through two markers created atomically ({@link ObjectStore#create}): a collector
 * holds {@value #LOCK}, a publisher holds its revision's claim. A collector takes the lock, then
 * lists the claims and gives up if any is live; a publisher takes its claim, then checks the lock
 * and backs off if it is held. Whichever marker was created second sees the first, so either the
 * publisher waits, or the collector sees its claim and stops, or the publisher finished (manifest
 * written) before the collector began marking. A lock or claim older than
 * {@link BundleTransfer#STALE_CLAIM} belongs to a process that died and is ignored.
 *
 * <p>It never deletes when in doubt: a manifest it cannot read, or from a format it does not know,
 * stops the sweep; the chunks stay until a later collection.
 */
public final class ChunkCollector {
    private static final System.Logger LOG = System.getLogger(ChunkCollector.class.getName());

    /** Held by a collector while it marks and sweeps. */
    public static final String LOCK = "gc-lock.json";

    /**
     * What a collection did.
     *
     * @param manifests snapshot manifests read
     * @param live distinct chunks they name
     * @param deleted chunk objects removed
     * @param skipped why nothing was removed, or empty when the sweep ran
     */
    public record Report(int manifests, int live, int deleted, Optional<String> skipped) {}

    private final ObjectStore store;
    private final InstantSource clock;

    public ChunkCollector(ObjectStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    public Report collect() throws StoreException {
        byte[] now = clock.instant().toString().getBytes(StandardCharsets.UTF_8);
        if (!store.create(LOCK, now)) {
            if (!stale(LOCK)) {
                return skipped("another collection holds " + LOCK);
            }
            store.delete(LOCK);
            if (!store.create(LOCK, now)) {
                return skipped("another collection took over the stale " + LOCK);
            }
        }
        try {
            // Image manifests name chunks as snapshot manifests do, and image publishers claim as they do.
            List<String> keys = new java.util.ArrayList<>(store.list(StoreKeys.SNAPSHOTS));
            keys.addAll(store.list(StoreKeys.IMAGES));
            for (String key : keys) {
                if (key.endsWith("/" + BundleTransfer.CLAIM) && !stale(key)) {
                    return skipped("a snapshot or image is being published (" + key + ")");
                }
            }
            Set<String> live = new HashSet<>();
            int manifests = 0;
            for (String key : keys) {
                if (key.endsWith("/" + BundleTransfer.INFO_JSON)) {
                    Optional<String> problem = mark(key, live);
                    if (problem.isPresent()) {
                        return skipped(problem.get());
                    }
                    manifests++;
                }
            }
            int deleted = 0;
            for (String key : store.list(ChunkTransfer.CHUNKS)) {
                String digest = key.substring(ChunkTransfer.CHUNKS.length());
                if (ChunkTransfer.DIGEST.matcher(digest).matches() && !live.contains(digest)) {
                    store.delete(key);
                    deleted++;
                }
            }
            return new Report(manifests, live.size(), deleted, Optional.empty());
        } finally {
            store.delete(LOCK);
        }
    }

    /** True when the marker at {@code key} is gone, unreadable, or older than a live holder's. */
    boolean stale(String key) throws StoreException {
        Instant since;
        try {
            since = Instant.parse(new String(store.get(key), StandardCharsets.UTF_8).strip());
        } catch (ObjectNotFoundException e) {
            return true;
        } catch (DateTimeParseException e) {
            return true;
        }
        return !since.plus(BundleTransfer.STALE_CLAIM).isAfter(clock.instant());
    }

    /** Adds the chunks manifest {@code key} names to {@code live}; a reason to stop when it cannot be read. */
    private Optional<String> mark(String key, Set<String> live) throws StoreException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(store.get(key));
        } catch (ObjectNotFoundException e) {
            return Optional.empty(); // deleted since the listing: it names nothing any more
        } catch (IOException e) {
            return Optional.of(key + " is not JSON (" + e.getMessage() + "); no chunk is removed while a manifest"
                    + " cannot be read");
        }
        JsonNode version = root == null ? null : root.get("formatVersion");
        if (version == null || !version.isInt()) {
            return Optional.of(key + " has no formatVersion; no chunk is removed while a manifest cannot be read");
        }
        if (version.intValue() == 1) {
            return Optional.empty(); // format 1 kept its data under its own prefix, not in chunks/
        }
        int known = key.startsWith(StoreKeys.IMAGES) ? ImageInfo.FORMAT_VERSION : dev.thaw.api.SnapshotInfo.FORMAT_VERSION;
        if (version.intValue() != known) {
            return Optional.of(key + " is of format version " + version.intValue() + ", which this Thaw cannot read;"
                    + " no chunk is removed");
        }
        JsonNode files = root.get("files");
        if (files == null || !files.isObject()) {
            return Optional.of(key + " lists no files; no chunk is removed while a manifest cannot be read");
        }
        for (JsonNode file : files) {
            JsonNode chunks = file.get("chunks");
            if (chunks == null || !chunks.isArray()) {
                return Optional.of(key + " has a file without chunks; no chunk is removed");
            }
            chunks.forEach(chunk -> live.add(chunk.asText()));
        }
        return Optional.empty();
    }

    private Report skipped(String why) {
        LOG.log(System.Logger.Level.INFO, "chunk collection in " + store.describe() + " skipped: " + why
                + "; unused chunks stay until the next one");
        return new Report(0, 0, 0, Optional.of(why));
    }

    /** How long a publisher waits for a collection to finish before it gives up. */
    static final Duration PUBLISH_WAIT = Duration.ofSeconds(60);
}
