package dev.thaw.node.peer;

import com.github.luben.zstd.Zstd;
import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.snapshot.store.CheckedChunkSource;
import dev.thaw.snapshot.store.ObjectNotFoundException;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.trust.InfoSignature;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store as one start reads it, with the peers that hold the revision in front of it.
 *
 * <ul>
 *   <li>A chunk ({@code chunks/<sha256>}) is asked of the healthy peers first, in rendezvous order
 *       (hash of the digest and the peer's name, so that the nodes of a burst spread their reads over
 *       the holders), each within its deadline; a peer's frame is decoded and checked against the
 *       digest here, so that a corrupt one marks the peer bad and the chunk is read from the next
 *       source. The store comes last.</li>
 *   <li>A snapshot manifest ({@code info.json}) is read from the store; when the store has none
 *       (not published yet) from the first peer that holds one, and its signature
 *       ({@code info.sig}) from the same source, so the caller verifies the pair as it verifies the
 *       store's (a peer signs with its own node key).</li>
 *   <li>Everything else, and every write, goes to the store.</li>
 * </ul>
 */
public final class SourcedObjectStore implements ObjectStore, CheckedChunkSource {
    private static final String CHUNKS = "chunks/";
    private static final int MAX_FRAME_BYTES = 2 * SnapshotInfo.FileEntry.MAX_CHUNK_SIZE;

    private final List<PeerObjectStore> peers;
    private final Set<String> whole;
    private final ObjectStore origin;
    private final PeerHealth health;
    private final SourceCounters counters;
    /** Where each snapshot's manifest came from, by prefix: its signature comes from the same place. */
    private final Map<String, ObjectStore> manifestSources = new ConcurrentHashMap<>();
    /** Peers that lacked a chunk this start asked for: they hold part of the revision, so others go first. */
    private final Set<String> lacking = ConcurrentHashMap.newKeySet();
    private final AtomicLong peerBytes = new AtomicLong();
    private final AtomicLong s3Bytes = new AtomicLong();
    private final AtomicLong peerNanos = new AtomicLong();
    private final AtomicLong s3Nanos = new AtomicLong();

    public SourcedObjectStore(List<PeerObjectStore> peers, ObjectStore origin, PeerHealth health,
            SourceCounters counters) {
        this(peers, Set.of(), origin, health, counters);
    }

    /** @param whole the peers that hold the revision whole: asked before the others, which may lack a chunk */
    public SourcedObjectStore(List<PeerObjectStore> peers, Set<String> whole, ObjectStore origin,
            PeerHealth health, SourceCounters counters) {
        this.peers = List.copyOf(peers);
        this.whole = Set.copyOf(whole);
        this.origin = origin;
        this.health = health;
        this.counters = counters;
    }

    /** Bytes this store read from peers so far (compressed, as served). */
    public long peerBytes() {
        return peerBytes.get();
    }

    /** Bytes this store read from the store so far (compressed). */
    public long s3Bytes() {
        return s3Bytes.get();
    }

    /** Time spent in successful chunk reads from peers, in milliseconds. */
    public double peerMs() {
        return peerNanos.get() / 1e6;
    }

    /** Time spent in chunk reads from the store, in milliseconds. */
    public double s3Ms() {
        return s3Nanos.get() / 1e6;
    }

    @Override
    public String describe() {
        return origin.describe() + (peers.isEmpty() ? "" : " after " + peers.size() + " peer(s)");
    }

    @Override
    public byte[] get(String key) throws StoreException {
        if (key.startsWith(CHUNKS)) {
            return chunk(key);
        }
        if (key.startsWith("snapshots/") && key.endsWith("/" + SnapshotInfo.FILE_NAME)) {
            return manifest(key);
        }
        if (key.startsWith("snapshots/") && key.endsWith("/" + InfoSignature.FILE_NAME)) {
            ObjectStore source = manifestSources.get(prefixOf(key));
            return (source != null ? source : origin).get(key);
        }
        return origin.get(key);
    }

    private byte[] manifest(String key) throws StoreException {
        String prefix = prefixOf(key);
        StoreException originFailure;
        try {
            byte[] bytes = origin.get(key);
            manifestSources.put(prefix, origin);
            return bytes;
        } catch (ObjectNotFoundException e) {
            originFailure = e;
        } catch (StoreException e) {
            originFailure = e; // the store is down: a holder's copy still beats a boot
        }
        // The healthy peers, then those skipped for a failure: without a manifest the start boots, which costs
        // more than asking a peer that was slow a moment ago.
        List<PeerObjectStore> ordered = new ArrayList<>(peers);
        ordered.sort(Comparator.comparing((PeerObjectStore p) -> !health.healthy(p.node())));
        for (PeerObjectStore peer : ordered) {
            try {
                byte[] bytes = peer.get(key);
                manifestSources.put(prefix, peer);
                counters.peerManifests.incrementAndGet();
                return bytes;
            } catch (ObjectNotFoundException e) {
                // this peer no longer holds it whole
            } catch (StoreException e) {
                counters.peerFailures.incrementAndGet();
                health.bad(peer.node(), e.getMessage());
            }
        }
        throw originFailure;
    }

    private byte[] chunk(String key) throws StoreException {
        String digest = key.substring(CHUNKS.length());
        Optional<Checked> fromPeer = fromPeers(key, digest, -1);
        return fromPeer.isPresent() ? fromPeer.get().frame() : chunkFromStore(key);
    }

    @Override
    public Optional<byte[]> checkedChunk(String digest, int length, AtomicLong fetched) throws StoreException {
        Optional<Checked> fromPeer = fromPeers(CHUNKS + digest, digest, length);
        fromPeer.ifPresent(c -> fetched.addAndGet(c.frame().length));
        return fromPeer.map(Checked::data);
    }

    /**
     * The chunk from the store; when the store lacks it (the snapshot's publication is still under way), from
     * the peers skipped for a failure, as the last source before the start fails.
     */
    @Override
    public byte[] chunkFromStore(String key) throws StoreException {
        long started = System.nanoTime();
        byte[] frame;
        try {
            frame = origin.get(key);
        } catch (ObjectNotFoundException e) {
            Optional<Checked> fromPenalised = key.startsWith(CHUNKS)
                    ? fromPeers(penalised(key.substring(CHUNKS.length())), key, key.substring(CHUNKS.length()), -1)
                    : Optional.empty();
            if (fromPenalised.isEmpty()) {
                throw e;
            }
            return fromPenalised.get().frame();
        }
        s3Nanos.addAndGet(System.nanoTime() - started);
        s3Bytes.addAndGet(frame.length);
        counters.s3Bytes.addAndGet(frame.length);
        counters.s3Chunks.incrementAndGet();
        return frame;
    }

    /** A peer's frame and what it decodes to, checked against its digest. */
    private record Checked(byte[] frame, byte[] data) {
    }

    /**
     * The chunk from the first healthy peer, in rendezvous order, whose frame decodes to {@code length}
     * bytes (any chunk's length when negative) hashing to {@code digest}; empty when none served it.
     */
    private Optional<Checked> fromPeers(String key, String digest, int length) {
        return fromPeers(rendezvous(digest), key, digest, length);
    }

    /** As {@link #fromPeers(String, String, int)}, asking {@code candidates} in their order. */
    private Optional<Checked> fromPeers(List<PeerObjectStore> candidates, String key, String digest, int length) {
        for (PeerObjectStore peer : candidates) {
            long started = System.nanoTime();
            byte[] frame;
            try {
                frame = peer.get(key);
            } catch (ObjectNotFoundException e) {
                lacking.add(peer.node()); // it holds part of the revision: the next source, at once
                continue;
            } catch (StoreException e) {
                counters.peerFailures.incrementAndGet();
                health.bad(peer.node(), e.getMessage());
                continue;
            }
            byte[][] data = new byte[1][];
            String problem = problem(frame, digest, length, data);
            if (problem != null) {
                counters.peerCorrupt.incrementAndGet();
                health.bad(peer.node(), "chunk " + digest + " " + problem);
                continue;
            }
            peerNanos.addAndGet(System.nanoTime() - started);
            peerBytes.addAndGet(frame.length);
            counters.peerBytes.addAndGet(frame.length);
            counters.peerChunks.incrementAndGet();
            return Optional.of(new Checked(frame, data[0]));
        }
        return Optional.empty();
    }

    /** The healthy peers, ordered by the rendezvous hash of {@code digest} and their names. */
    private List<PeerObjectStore> rendezvous(String digest) {
        return ordered(digest, true);
    }

    /** The peers skipped now for a failure, in the same order. */
    private List<PeerObjectStore> penalised(String digest) {
        return ordered(digest, false);
    }

    private List<PeerObjectStore> ordered(String digest, boolean healthy) {
        List<PeerObjectStore> chosen = new ArrayList<>();
        for (PeerObjectStore peer : peers) {
            if (health.healthy(peer.node()) == healthy) {
                chosen.add(peer);
            }
        }
        // Peers that had every chunk so far first, whole holders before partial ones, each group in rendezvous
        // order: a burst's reads spread over the holders, a start's first chunk (its device state) is not held up
        // by 404s from nodes starting the revision at the same moment, and a partial holder costs this start at
        // most one 404 before it is asked last.
        chosen.sort(Comparator.comparing((PeerObjectStore p) -> lacking.contains(p.node()))
                .thenComparing((PeerObjectStore p) -> !whole.contains(p.node()))
                .thenComparing(Comparator.comparingLong((PeerObjectStore p) -> weight(digest, p.node())).reversed()));
        return chosen;
    }

    private static long weight(String digest, String node) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((digest + "/" + node)
                    .getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Why {@code frame} is not the chunk {@code digest} (one zstd frame of bytes hashing to it); null if it is. */
    static String problem(byte[] frame, String digest) {
        return problem(frame, digest, -1, new byte[1][]);
    }

    /**
     * Why {@code frame} is not the chunk {@code digest} of {@code length} bytes (any length when negative);
     * null if it is, with the decoded bytes in {@code decoded[0]}.
     */
    private static String problem(byte[] frame, String digest, int length, byte[][] decoded) {
        if (frame.length == 0 || frame.length > MAX_FRAME_BYTES) {
            return "is " + frame.length + " bytes; a chunk's frame is 1 to " + MAX_FRAME_BYTES;
        }
        try {
            if (Zstd.findFrameCompressedSize(frame) != frame.length) {
                return "is not one zstd frame";
            }
            long size = Zstd.getFrameContentSize(frame);
            if (size <= 0 || size > SnapshotInfo.FileEntry.MAX_CHUNK_SIZE) {
                return "declares " + size + " bytes; a chunk holds 1 to " + SnapshotInfo.FileEntry.MAX_CHUNK_SIZE;
            }
            if (length >= 0 && size != length) {
                return "declares " + size + " bytes; the manifest lists this chunk with " + length;
            }
            byte[] data = new byte[(int) size];
            long got = Zstd.decompressByteArray(data, 0, data.length, frame, 0, frame.length);
            if (got != size) {
                return "decodes to " + got + " bytes, not the " + size + " it declares";
            }
            String actual = FileDigests.sha256Hex(ByteBuffer.wrap(data));
            if (!actual.equals(digest)) {
                return "does not match its SHA-256 (got " + actual + ")";
            }
            decoded[0] = data;
            return null;
        } catch (RuntimeException e) {
            return "does not decode: " + e.getMessage();
        }
    }

    private static String prefixOf(String key) {
        return key.substring(0, key.lastIndexOf('/') + 1);
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws StoreException {
        return origin.getRange(key, offset, length);
    }

    @Override
    public OptionalLong size(String key) throws StoreException {
        if (key.startsWith("snapshots/") && key.endsWith("/" + InfoSignature.FILE_NAME)) {
            ObjectStore source = manifestSources.get(prefixOf(key));
            return (source != null ? source : origin).size(key);
        }
        return origin.size(key);
    }

    @Override
    public List<String> list(String prefix) throws StoreException {
        return origin.list(prefix);
    }

    @Override
    public void put(String key, java.nio.file.Path file) throws StoreException {
        origin.put(key, file);
    }

    @Override
    public void put(String key, byte[] bytes) throws StoreException {
        origin.put(key, bytes);
    }

    @Override
    public boolean create(String key, byte[] bytes) throws StoreException {
        return origin.create(key, bytes);
    }

    @Override
    public void delete(String key) throws StoreException {
        origin.delete(key);
    }

    /** The peers' clients and the store belong to the node: nothing to close here. */
    @Override
    public void close() {
    }
}
