package dev.thaw.snapshot.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.lang.System.Logger.Level;
import dev.thaw.api.FileDigests;
import dev.thaw.api.Json;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.trust.InfoSignature;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.snapshot.trust.VerificationException;
import dev.thaw.snapshot.trust.VerificationException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshots and images in an {@link ObjectStore}: what a node publishes after
 * building and fetches before restoring.
 *
 * <p>A bundle is visible once its {@code info.json} is there: publishing writes it last and
 * deleting removes it first, so a reader never sees half a bundle.
 *
 * <p>Nothing read from the store is trusted: a snapshot's {@code info.json} must carry an
 * Ed25519 signature ({@link InfoSignature}) by a key the caller trusts for that revision, and
 * every chunk must match the signed digests; an image must hash to the digest it is stored
 * under, which the caller got from the control plane.
 */
public final class SnapshotStore {
    private static final System.Logger LOG = System.getLogger(SnapshotStore.class.getName());

    private final ObjectStore store;
    private final BundleTransfer transfer;
    private final ChunkTransfer chunks;
    private final ChunkCollector collector;
    private final java.time.InstantSource clock;
    private final NodeKey key;
    private final SameRevision sameRevision;

    /** A store that can read, delete and publish images, but not publish snapshots. */
    public SnapshotStore(ObjectStore store) {
        this(store, null);
    }

    /** A store that signs the snapshots it publishes with {@code key} (null: publishes none). */
    public SnapshotStore(ObjectStore store, NodeKey key) {
        this(store, key, null);
    }

    /**
     * A store that signs the snapshots it publishes with {@code key} (null: publishes none) and packs them
     * in {@code spool} (null: the system's temporary directory) before uploading them.
     */
    public SnapshotStore(ObjectStore store, NodeKey key, Path spool) {
        this.store = store;
        this.clock = java.time.InstantSource.system();
        this.transfer = new BundleTransfer(store, clock, spool);
        this.chunks = new ChunkTransfer(store);
        this.collector = new ChunkCollector(store, clock);
        this.key = key;
        // Only snapshots this store's own key signed are reused: a node never re-signs another's.
        this.sameRevision = new SameRevision(store, (function, revision) -> findSnapshot(function, revision));
    }

    /** The signers trusted when the caller names none: this store's own key, if any. */
    public TrustedSigners ownSigners() {
        return key == null ? TrustedSigners.none() : key.alone();
    }

    public ObjectStore objectStore() {
        return store;
    }

    /**
     * Publishes the snapshot in {@code snapshotDir}: the chunks of the files {@code info.files()}
     * names that the store lacks, then the signature, then {@code info.json}, its manifest. Skipped
     * when another publisher holds the revision's claim. When this key already published the same
     * revision for another function of the namespace ({@link SameRevision}), only a manifest naming
     * that snapshot's chunks is stored.
     */
    public PublishReport publishSnapshot(Path snapshotDir, SnapshotInfo info) throws StoreException {
        if (key == null) {
            throw new IllegalStateException("this store has no signing key: only nodes publish snapshots");
        }
        long start = System.nanoTime();
        String prefix = StoreKeys.snapshotPrefix(info.function(), info.revision());
        info.files().keySet().forEach(BundleTransfer::requireFileName);
        byte[] json = snapshotJson(info);
        byte[] signature = InfoSignature.sign(key, prefix + SnapshotInfo.FILE_NAME, json).toJson();
        Map<String, Path> sources = new java.util.LinkedHashMap<>();
        info.files().keySet().forEach(name -> sources.put(name, snapshotDir.resolve(name)));
        long raw = info.files().values().stream().mapToLong(FileEntry::size).sum();
        String claim = prefix + BundleTransfer.CLAIM;
        if (!claimOutsideCollection(claim)) {
            return PublishReport.skipped(raw, BundleTransfer.elapsedMs(start));
        }
        try {
            // Readers stop seeing the old manifest first; then whatever else is at the prefix goes
            // (a format 1 snapshot's packed files, an old signature).
            store.delete(prefix + SnapshotInfo.FILE_NAME);
            for (String old : store.list(prefix)) {
                if (!old.equals(claim)) {
                    store.delete(old);
                }
            }
            Optional<SnapshotInfo> twin = sameRevision.twinOf(info);
            if (twin.isPresent()) {
                // The same revision is published under another name of this namespace: store only a
                // manifest of this function's own that names the twin's chunks.
                byte[] reused = snapshotJson(SameRevision.reuse(twin.get(), info));
                byte[] reusedSignature = InfoSignature.sign(key, prefix + SnapshotInfo.FILE_NAME, reused).toJson();
                store.put(prefix + InfoSignature.FILE_NAME, reusedSignature);
                store.put(prefix + SnapshotInfo.FILE_NAME, reused);
                LOG.log(Level.INFO, info.function() + " revision " + info.revision() + " reuses the published snapshot of "
                        + twin.get().function());
                return new PublishReport(raw, reusedSignature.length + reused.length, 0,
                        BundleTransfer.elapsedMs(start), false);
            }
            ChunkTransfer.Upload upload = chunks.upload(sources, info.files());
            store.put(prefix + InfoSignature.FILE_NAME, signature);
            store.put(prefix + SnapshotInfo.FILE_NAME, json);
            sameRevision.record(info);
            return new PublishReport(raw, upload.uploadedBytes() + signature.length + json.length,
                    upload.dataBytes(), BundleTransfer.elapsedMs(start), false);
        } finally {
            store.delete(claim);
        }
    }

    /**
     * Takes the revision's publication claim while no chunk collection runs (see
     * {@link ChunkCollector} for why both are needed); false when another publisher holds it.
     */
    private boolean claimOutsideCollection(String claim) throws StoreException {
        java.time.Instant deadline = clock.instant().plus(ChunkCollector.PUBLISH_WAIT);
        while (true) {
            if (!transfer.claim(claim)) {
                return false;
            }
            if (collector.stale(ChunkCollector.LOCK)) {
                return true;
            }
            store.delete(claim);
            if (clock.instant().isAfter(deadline)) {
                throw new StoreException("a chunk collection has held " + ChunkCollector.LOCK + " in " + store.describe()
                        + " for over " + ChunkCollector.PUBLISH_WAIT.toSeconds() + " s; the snapshot is not published");
            }
            try {
                Thread.sleep(100); // a collection lists and deletes keys: it is over in moments
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for a chunk collection to finish", e);
            }
        }
    }

    /**
     * What the snapshot occupies in the store: its manifest and signature, and each distinct chunk
     * it names once (chunks shared with other snapshots included).
     */
    public long storedBytes(SnapshotInfo info) throws StoreException {
        String prefix = StoreKeys.snapshotPrefix(info.function(), info.revision());
        long total = store.size(prefix + SnapshotInfo.FILE_NAME).orElse(0)
                + store.size(prefix + InfoSignature.FILE_NAME).orElse(0);
        for (String digest : ChunkTransfer.distinctChunks(info.files()).keySet()) {
            total += store.size(ChunkTransfer.key(digest)).orElse(0);
        }
        return total;
    }

    /**
     * Removes the chunks no snapshot manifest names (see {@link ChunkCollector}). Deleting a
     * snapshot or function runs it; it never removes a chunk a manifest still names.
     */
    public ChunkCollector.Report collectChunks() throws StoreException {
        return collector.collect();
    }

    /** Like {@link #findSnapshot(String, String, TrustedSigners)}, trusting this store's own key only. */
    public Optional<SnapshotInfo> findSnapshot(String function, String revision)
            throws StoreException, SnapshotFormatException {
        return findSnapshot(function, revision, ownSigners());
    }

    /**
     * The metadata of a published snapshot, or empty when there is none.
     *
     * <p>Its {@code info.json} is checked against its signature, which must verify and be made
     * by one of {@code signers}, before it is parsed.
     *
     * @throws VerificationException if it is unsigned, its signature does not verify, its signer
     *     is not one of {@code signers}, or it describes another function or revision
     * @throws SnapshotFormatException if its {@code info.json} is malformed or of another format version
     */
    public Optional<SnapshotInfo> findSnapshot(String function, String revision, TrustedSigners signers)
            throws StoreException, SnapshotFormatException {
        String prefix = StoreKeys.snapshotPrefix(function, revision);
        String infoKey = prefix + SnapshotInfo.FILE_NAME;
        Optional<byte[]> bytes = getIfPresent(infoKey);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        String sigKey = prefix + InfoSignature.FILE_NAME;
        java.util.OptionalLong sigSize = store.size(sigKey);
        if (sigSize.isPresent() && sigSize.getAsLong() > InfoSignature.MAX_BYTES) {
            throw new VerificationException(Reason.BAD_SIGNATURE, sigKey + " in " + store.describe() + " is "
                    + sigSize.getAsLong() + " bytes, more than a signature's " + InfoSignature.MAX_BYTES);
        }
        Optional<byte[]> signature = getIfPresent(sigKey);
        if (signature.isEmpty()) {
            throw new VerificationException(Reason.UNSIGNED, infoKey + " in " + store.describe()
                    + " has no signature " + InfoSignature.FILE_NAME + "; it is not used");
        }
        signers.check(InfoSignature.parse(sigKey, signature.get()), InfoSignature.message(infoKey, bytes.get()),
                infoKey + " in " + store.describe());
        SnapshotInfo info = parseSnapshot(infoKey, bytes.get());
        if (!info.function().equals(function) || !info.revision().equals(revision)) {
            throw new VerificationException(Reason.WRONG_SUBJECT, infoKey + " describes function '" + info.function()
                    + "' revision '" + info.revision() + "', not '" + function + "' revision '" + revision
                    + "' (in " + store.describe() + ")");
        }
        return Optional.of(info);
    }

    /**
     * Stores {@code json} as {@code name} beside a snapshot's manifest, and its signature by this
     * store's key as {@code signatureName} first, signed as {@code info.json} is (see
     * {@link InfoSignature}) over its own key. For what a node learns about a snapshot after
     * publishing it, such as its working set.
     */
    public void putSigned(String function, String revision, String name, String signatureName, byte[] json)
            throws StoreException {
        if (key == null) {
            throw new IllegalStateException("this store has no signing key: only nodes publish signed objects");
        }
        String prefix = StoreKeys.snapshotPrefix(function, revision);
        String objectKey = prefix + StoreKeys.requireName("object name", name);
        store.put(prefix + StoreKeys.requireName("signature name", signatureName),
                InfoSignature.sign(key, objectKey, json).toJson());
        store.put(objectKey, json);
    }

    /**
     * An object {@link #putSigned} stored, once its signature verifies and is made by one of
     * {@code signers}; empty when there is none. Objects of more than {@code maxBytes} are refused
     * unread.
     *
     * @throws VerificationException ({@code unsigned}, {@code bad_signature}, {@code untrusted_signer})
     * @throws StoreException if the store fails, or the object is larger than {@code maxBytes}
     */
    public Optional<byte[]> getSigned(String function, String revision, String name, String signatureName,
            int maxBytes, TrustedSigners signers) throws StoreException {
        String prefix = StoreKeys.snapshotPrefix(function, revision);
        String objectKey = prefix + StoreKeys.requireName("object name", name);
        String what = objectKey + " in " + store.describe();
        java.util.OptionalLong size = store.size(objectKey);
        if (size.isEmpty()) {
            return Optional.empty();
        }
        if (size.getAsLong() > maxBytes) {
            throw new StoreException(what + " is " + size.getAsLong() + " bytes, more than " + maxBytes
                    + "; it is not read");
        }
        Optional<byte[]> bytes = getIfPresent(objectKey);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        if (bytes.get().length > maxBytes) {
            throw new StoreException(what + " is " + bytes.get().length + " bytes, more than " + maxBytes);
        }
        String sigKey = prefix + StoreKeys.requireName("signature name", signatureName);
        java.util.OptionalLong sigSize = store.size(sigKey);
        if (sigSize.isPresent() && sigSize.getAsLong() > InfoSignature.MAX_BYTES) {
            throw new VerificationException(Reason.BAD_SIGNATURE, sigKey + " in " + store.describe() + " is "
                    + sigSize.getAsLong() + " bytes, more than a signature's " + InfoSignature.MAX_BYTES);
        }
        Optional<byte[]> signature = getIfPresent(sigKey);
        if (signature.isEmpty()) {
            throw new VerificationException(Reason.UNSIGNED, what + " has no signature " + signatureName
                    + "; it is not used");
        }
        signers.check(InfoSignature.parse(sigKey, signature.get()), InfoSignature.message(objectKey, bytes.get()), what);
        return bytes;
    }

    /** Fetches and verifies the snapshot's files into {@code targetDir}, then writes its {@code info.json} there. */
    public FetchReport fetchSnapshot(SnapshotInfo info, Path targetDir) throws StoreException {
        String prefix = StoreKeys.snapshotPrefix(info.function(), info.revision());
        FetchReport report = chunks.fetch(info.files(), targetDir, prefix + " in " + store.describe());
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
     * Chunk {@code index} of file {@code name} of the snapshot {@code info}, fetched and verified
     * against the digest its signed manifest lists; adds the stored (compressed) bytes read to
     * {@code fetched}. The chunk must not be a zero chunk: those are never stored.
     *
     * @throws CorruptBundleException if the chunk is missing, does not decode, or does not match its digest
     */
    public byte[] fetchChunk(SnapshotInfo info, String name, int index, AtomicLong fetched)
            throws StoreException {
        FileEntry entry = info.files().get(name);
        if (entry == null || index < 0 || index >= entry.chunks().size()) {
            throw new IllegalArgumentException("snapshot lists no chunk " + index + " of '" + name + "'");
        }
        String digest = entry.chunks().get(index);
        String where = "chunk " + index + " of " + name + " of "
                + StoreKeys.snapshotPrefix(info.function(), info.revision()) + " in " + store.describe() + " ("
                + ChunkTransfer.key(digest) + ")";
        return chunks.fetchVerified(digest, entry.chunkLength(index), index, where, fetched);
    }

    /**
     * Publishes the image file {@code disk} under its content digest, as a manifest of
     * content-addressed chunks (format {@value ImageInfo#FORMAT_VERSION}): only the chunks the store
     * lacks are uploaded, so layers share chunks with each other and with snapshots. The manifest is
     * signed when this store has a key (nodes), which lets other nodes present it lazily; unsigned
     * (the gateway), nodes fetch it whole and hash it against its digest. Skipped (report flag set,
     * nothing stored) when that very image is published already: an image already at that digest is
     * checked chunk by chunk against {@code disk} first, and one that differs (planted, tampered,
     * truncated), is in the packed format 1, or is unsigned while this store could sign it, is
     * published again over it.
     *
     * @throws StoreException also if {@code disk} does not hash to {@code digest}
     */
    public PublishReport publishImage(String digest, Path disk, String node) throws StoreException {
        long start = System.nanoTime();
        String prefix = StoreKeys.imagePrefix(digest);
        long size;
        FileEntry entry;
        try {
            size = Files.size(disk);
            entry = FileDigests.describe(disk);
        } catch (IOException e) {
            throw new StoreException("cannot read image " + disk + ": " + e, e);
        }
        if (!entry.sha256().equals(digest)) {
            throw new StoreException("image " + disk + " has SHA-256 " + entry.sha256() + ", not the digest " + digest
                    + " it is to be published under; build it again");
        }
        if (store.size(prefix + SnapshotInfo.FILE_NAME).isPresent()) {
            Optional<String> problem = differenceFromStored(prefix, digest, entry);
            if (problem.isEmpty()) {
                return PublishReport.skipped(size, (System.nanoTime() - start) / 1_000_000);
            }
            LOG.log(Level.WARNING, "image " + digest + " in " + store.describe() + " is not the image built here ("
                    + problem.get() + "); publishing it again over it");
        }
        String claim = prefix + BundleTransfer.CLAIM;
        if (!claimOutsideCollection(claim)) {
            return PublishReport.skipped(size, BundleTransfer.elapsedMs(start));
        }
        try {
            // Readers stop seeing the old manifest first; then the rest of the prefix goes (format 1's packed
            // files, an old signature).
            store.delete(prefix + SnapshotInfo.FILE_NAME);
            for (String old : store.list(prefix)) {
                if (!old.equals(claim)) {
                    store.delete(old);
                }
            }
            ChunkTransfer.Upload upload = chunks.upload(Map.of(ImageInfo.DISK, disk), Map.of(ImageInfo.DISK, entry));
            ImageInfo info = new ImageInfo(ImageInfo.FORMAT_VERSION, digest, Map.of(ImageInfo.DISK, entry),
                    Instant.now(), node);
            byte[] json = info.toJson();
            long signatureBytes = 0;
            if (key != null) {
                byte[] signature = InfoSignature.sign(key, prefix + SnapshotInfo.FILE_NAME, json).toJson();
                store.put(prefix + InfoSignature.FILE_NAME, signature);
                signatureBytes = signature.length;
            }
            store.put(prefix + SnapshotInfo.FILE_NAME, json);
            return new PublishReport(size, upload.uploadedBytes() + signatureBytes + json.length, upload.dataBytes(),
                    BundleTransfer.elapsedMs(start), false);
        } finally {
            store.delete(claim);
        }
    }

    /** Empty when the stored image at {@code prefix} holds exactly the bytes {@code local} describes; else why not. */
    private Optional<String> differenceFromStored(String prefix, String digest, FileEntry local) throws StoreException {
        ImageInfo stored;
        try {
            stored = findImage(digest).orElse(null);
        } catch (SnapshotFormatException | VerificationException e) {
            return Optional.of(e.getMessage());
        }
        if (stored == null) {
            return Optional.of("its info.json vanished");
        }
        if (!stored.chunked()) {
            return Optional.of("it is in the packed format " + ImageInfo.PACKED_VERSION);
        }
        if (!stored.disk().equals(local)) {
            return Optional.of("its info.json describes other bytes");
        }
        if (key != null && store.size(prefix + InfoSignature.FILE_NAME).isEmpty()) {
            return Optional.of("its manifest is unsigned");
        }
        Path temp;
        try {
            temp = Files.createTempDirectory("thaw-verify-");
        } catch (IOException e) {
            throw new StoreException("cannot create a temporary directory to verify image " + digest + ": " + e, e);
        }
        try {
            // Checked against the digests computed here from the local file, not the stored ones.
            chunks.fetch(Map.of(ImageInfo.DISK, local), temp, prefix + " in " + store.describe());
            return Optional.empty();
        } catch (CorruptBundleException e) {
            return Optional.of(e.getMessage());
        } finally {
            deleteQuietly(temp.resolve(ImageInfo.DISK));
            deleteQuietly(temp);
        }
    }

    /**
     * The metadata of a published image, or empty when there is none.
     *
     * @throws VerificationException if it is for another digest, or its file's SHA-256 is not that digest
     * @throws SnapshotFormatException if its {@code info.json} is malformed or of another version
     */
    public Optional<ImageInfo> findImage(String digest) throws StoreException, SnapshotFormatException {
        String key = StoreKeys.imagePrefix(digest) + SnapshotInfo.FILE_NAME;
        Optional<byte[]> bytes = getIfPresent(key);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        ImageInfo info = ImageInfo.parse(Path.of(key), bytes.get());
        if (!info.digest().equals(digest) || !info.disk().sha256().equals(digest)) {
            throw new VerificationException(Reason.IMAGE_DIGEST, key + " in " + store.describe() + " describes image '"
                    + info.digest() + "' with SHA-256 " + info.disk().sha256() + ", not '" + digest
                    + "'; deploy the function again to publish the image over it");
        }
        return Optional.of(info);
    }

    /**
     * Why {@code image} may not be read chunk by chunk before all of it is hashed against its digest,
     * or empty when it may: its manifest, as stored now, is in the chunked format, carries a signature
     * that verifies and is made by one of {@code signers}, and is the manifest {@code image} holds. A
     * lazily presented image trusts its chunk list, which the whole-file digest cannot vouch for until
     * every chunk was read; the signature can.
     */
    public Optional<String> lazyImageProblem(ImageInfo image, TrustedSigners signers) throws StoreException {
        if (!image.chunked()) {
            return Optional.of("image " + image.digest() + " is in the packed format " + ImageInfo.PACKED_VERSION);
        }
        String prefix = StoreKeys.imagePrefix(image.digest());
        String infoKey = prefix + SnapshotInfo.FILE_NAME;
        String sigKey = prefix + InfoSignature.FILE_NAME;
        java.util.OptionalLong sigSize = store.size(sigKey);
        if (sigSize.isEmpty()) {
            return Optional.of(infoKey + " in " + store.describe() + " is unsigned");
        }
        if (sigSize.getAsLong() > InfoSignature.MAX_BYTES) {
            return Optional.of(sigKey + " in " + store.describe() + " is " + sigSize.getAsLong()
                    + " bytes, more than a signature's " + InfoSignature.MAX_BYTES);
        }
        Optional<byte[]> signature = getIfPresent(sigKey);
        Optional<byte[]> bytes = getIfPresent(infoKey);
        if (signature.isEmpty() || bytes.isEmpty()) {
            return Optional.of(infoKey + " in " + store.describe() + " changed while it was read");
        }
        try {
            signers.check(InfoSignature.parse(sigKey, signature.get()), InfoSignature.message(infoKey, bytes.get()),
                    infoKey + " in " + store.describe());
            if (!ImageInfo.parse(Path.of(infoKey), bytes.get()).equals(image)) {
                return Optional.of(infoKey + " in " + store.describe() + " changed while it was read");
            }
        } catch (VerificationException | SnapshotFormatException e) {
            return Optional.of(e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Chunk {@code index} of the chunked image {@code image}, fetched and verified against the digest
     * its manifest lists; adds the stored bytes read to {@code fetched}. Not a zero chunk.
     *
     * @throws CorruptBundleException if the chunk is missing, does not decode, or does not match its digest
     */
    public byte[] fetchImageChunk(ImageInfo image, int index, AtomicLong fetched) throws StoreException {
        FileEntry entry = image.disk();
        if (!image.chunked() || index < 0 || index >= entry.chunks().size()) {
            throw new IllegalArgumentException("image " + image.digest() + " lists no chunk " + index);
        }
        String digest = entry.chunks().get(index);
        String where = "chunk " + index + " of image " + image.digest() + " in " + store.describe() + " ("
                + ChunkTransfer.key(digest) + ")";
        return chunks.fetchVerified(digest, entry.chunkLength(index), index, where, fetched);
    }

    /**
     * Fetches the image into {@code targetDir}/{@value ImageInfo#DISK}, verifying each chunk and then
     * that the whole file hashes to the image's digest: an image is content-addressed, so its bytes
     * are checked against the name the caller asked for, whoever published it.
     *
     * @throws VerificationException if the fetched file does not hash to the digest (it is deleted)
     */
    public FetchReport fetchImage(ImageInfo image, Path targetDir) throws StoreException {
        String prefix = StoreKeys.imagePrefix(image.digest());
        FetchReport report = image.chunked()
                ? chunks.fetch(image.files(), targetDir, prefix + " in " + store.describe())
                : transfer.fetch(prefix, image.files(), targetDir);
        Path disk = targetDir.resolve(ImageInfo.DISK);
        String actual;
        try {
            actual = FileDigests.sha256Hex(disk);
        } catch (IOException e) {
            deleteQuietly(disk);
            throw new StoreException("cannot read back the fetched image " + disk + ": " + e, e);
        }
        if (!actual.equals(image.digest())) {
            deleteQuietly(disk);
            throw new VerificationException(Reason.IMAGE_DIGEST, "image " + image.digest() + " fetched from "
                    + store.describe() + " hashes to " + actual + "; deploy the function again to publish it over it");
        }
        return report;
    }

    /** What the image occupies in the store: its manifest, its signature and each distinct chunk it names once. */
    public long storedImageBytes(ImageInfo image) throws StoreException {
        String prefix = StoreKeys.imagePrefix(image.digest());
        long total = store.size(prefix + SnapshotInfo.FILE_NAME).orElse(0)
                + store.size(prefix + InfoSignature.FILE_NAME).orElse(0);
        if (!image.chunked()) {
            return total + store.size(prefix + ImageInfo.DISK + BundleTransfer.PACKED_SUFFIX).orElse(0);
        }
        for (String digest : ChunkTransfer.distinctChunks(image.files()).keySet()) {
            total += store.size(ChunkTransfer.key(digest)).orElse(0);
        }
        return total;
    }

    /**
     * Deletes one snapshot: its {@code info.json} first, so readers stop seeing it at once, then
     * the chunks no other snapshot uses.
     */
    public void deleteSnapshot(String function, String revision) throws StoreException {
        deleteBundles(StoreKeys.snapshotPrefix(function, revision));
        sameRevision.forget(function, revision);
        collectChunks();
    }

    /** Deletes every snapshot of {@code function}, then the chunks no other snapshot uses. */
    public void deleteFunction(String function) throws StoreException {
        List<String> revisions = revisions(function);
        deleteBundles(StoreKeys.functionPrefix(function));
        for (String revision : revisions) {
            sameRevision.forget(function, revision);
        }
        collectChunks();
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
