package dev.thaw.snapshot.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.thaw.api.FileDigests;
import dev.thaw.api.Json;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Snapshots and images in an {@link ObjectStore}: what a node publishes after
 * building and fetches before restoring.
 *
 * <p>A bundle is visible once its {@code info.json} is there: publishing writes it last and
 * deleting removes it first, so a reader never sees half a bundle.
 */
public final class SnapshotStore {

    private final ObjectStore store;
    private final BundleTransfer transfer;

    public SnapshotStore(ObjectStore store) {
        this.store = store;
        this.transfer = new BundleTransfer(store);
    }

    public ObjectStore objectStore() {
        return store;
    }

    /** Publishes the files {@code info.files()} names from {@code snapshotDir}, then {@code info.json}. */
    public PublishReport publishSnapshot(Path snapshotDir, SnapshotInfo info) throws StoreException {
        String prefix = StoreKeys.snapshotPrefix(info.function(), info.revision());
        return transfer.publish(prefix, snapshotDir, info.files(), snapshotJson(info));
    }

    /**
     * The metadata of a published snapshot, or empty when there is none.
     *
     * @throws SnapshotFormatException if its {@code info.json} is malformed, of another format
     *     version, or names another function or revision
     */
    public Optional<SnapshotInfo> findSnapshot(String function, String revision)
            throws StoreException, SnapshotFormatException {
        String key = StoreKeys.snapshotPrefix(function, revision) + SnapshotInfo.FILE_NAME;
        Optional<byte[]> bytes = getIfPresent(key);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        SnapshotInfo info = parseSnapshot(key, bytes.get());
        if (!info.function().equals(function) || !info.revision().equals(revision)) {
            throw new SnapshotFormatException(Path.of(key), "describes function '" + info.function() + "' revision '"
                    + info.revision() + "', not '" + function + "' revision '" + revision + "' (in " + store.describe()
                    + "); delete it and publish again");
        }
        return Optional.of(info);
    }

    /** Fetches and verifies the snapshot's files into {@code targetDir}, then writes its {@code info.json} there. */
    public FetchReport fetchSnapshot(SnapshotInfo info, Path targetDir) throws StoreException {
        String prefix = StoreKeys.snapshotPrefix(info.function(), info.revision());
        FetchReport report = transfer.fetch(prefix, info.files(), targetDir);
        try {
            info.write(targetDir.resolve(SnapshotInfo.FILE_NAME));
        } catch (IOException e) {
            for (String name : info.files().keySet()) {
                deleteQuietly(targetDir.resolve(name));
            }
            throw new StoreException("cannot write " + targetDir.resolve(SnapshotInfo.FILE_NAME) + ": " + e, e);
        }
        return report;
    }

    /**
     * Publishes the image file {@code disk} under its content digest; skipped (report flag set,
     * nothing stored) when that image is published already.
     */
    public PublishReport publishImage(String digest, Path disk, String node) throws StoreException {
        long start = System.nanoTime();
        String prefix = StoreKeys.imagePrefix(digest);
        long size;
        try {
            size = Files.size(disk);
        } catch (IOException e) {
            throw new StoreException("cannot read image " + disk + ": " + e, e);
        }
        if (store.size(prefix + SnapshotInfo.FILE_NAME).isPresent()) {
            return PublishReport.skipped(size, (System.nanoTime() - start) / 1_000_000);
        }
        FileEntry entry;
        try {
            entry = FileDigests.describe(disk);
        } catch (IOException e) {
            throw new StoreException("cannot read image " + disk + ": " + e, e);
        }
        ImageInfo info = new ImageInfo(ImageInfo.FORMAT_VERSION, digest, Map.of(ImageInfo.DISK, entry), Instant.now(), node);
        return transfer.publish(prefix, Map.of(ImageInfo.DISK, disk), info.files(), info.toJson());
    }

    /**
     * The metadata of a published image, or empty when there is none.
     *
     * @throws SnapshotFormatException if its {@code info.json} is malformed, of another version or for another digest
     */
    public Optional<ImageInfo> findImage(String digest) throws StoreException, SnapshotFormatException {
        String key = StoreKeys.imagePrefix(digest) + SnapshotInfo.FILE_NAME;
        Optional<byte[]> bytes = getIfPresent(key);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        ImageInfo info = ImageInfo.parse(Path.of(key), bytes.get());
        if (!info.digest().equals(digest)) {
            throw new SnapshotFormatException(Path.of(key), "describes image '" + info.digest() + "', not '" + digest
                    + "' (in " + store.describe() + "); delete it and publish again");
        }
        return Optional.of(info);
    }

    /** Fetches and verifies the image into {@code targetDir}/{@value ImageInfo#DISK}. */
    public FetchReport fetchImage(ImageInfo image, Path targetDir) throws StoreException {
        return transfer.fetch(StoreKeys.imagePrefix(image.digest()), image.files(), targetDir);
    }

    /** Deletes one snapshot: its {@code info.json} first, so readers stop seeing it at once. */
    public void deleteSnapshot(String function, String revision) throws StoreException {
        deleteBundles(StoreKeys.snapshotPrefix(function, revision));
    }

    /** Deletes every snapshot of {@code function}. */
    public void deleteFunction(String function) throws StoreException {
        deleteBundles(StoreKeys.functionPrefix(function));
    }

    /** The revisions of {@code function} with a complete snapshot, sorted. */
    public List<String> revisions(String function) throws StoreException {
        String prefix = StoreKeys.functionPrefix(function);
        String suffix = "/" + SnapshotInfo.FILE_NAME;
        List<String> revisions = new ArrayList<>();
        for (String key : store.list(prefix)) {
            String rest = key.substring(prefix.length());
            if (rest.endsWith(suffix) && rest.indexOf('/') == rest.length() - suffix.length()) {
                revisions.add(rest.substring(0, rest.length() - suffix.length()));
            }
        }
        return revisions;
    }

    private void deleteBundles(String prefix) throws StoreException {
        List<String> keys = store.list(prefix);
        String marker = "/" + SnapshotInfo.FILE_NAME;
        for (String key : keys) {
            if (key.endsWith(marker)) {
                store.delete(key);
            }
        }
        for (String key : keys) {
            if (!key.endsWith(marker)) {
                store.delete(key);
            }
        }
    }

    private Optional<byte[]> getIfPresent(String key) throws StoreException {
        try {
            return Optional.of(store.get(key));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    // Reuses SnapshotInfo.read's strict rules, then reports the store key rather than the temp file.
    private SnapshotInfo parseSnapshot(String key, byte[] bytes) throws StoreException, SnapshotFormatException {
        Path temp;
        try {
            temp = Files.createTempFile("thaw-info-", ".json");
        } catch (IOException e) {
            throw new StoreException("cannot create a temporary file to read " + key + ": " + e, e);
        }
        try {
            Files.write(temp, bytes);
            return SnapshotInfo.read(temp);
        } catch (IOException e) {
            throw new StoreException("cannot write a temporary copy of " + key + ": " + e, e);
        } catch (SnapshotFormatException e) {
            String message = e.getMessage();
            String detail = message.startsWith(temp + ": ") ? message.substring(temp.toString().length() + 2) : message;
            throw new SnapshotFormatException(Path.of(key), detail + " (in " + store.describe() + ")", e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static byte[] snapshotJson(SnapshotInfo info) {
        try {
            return (Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write snapshot metadata: " + e.getOriginalMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // Best effort.
        }
    }
}
