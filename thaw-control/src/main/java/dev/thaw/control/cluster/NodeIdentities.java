package dev.thaw.control.cluster;

import dev.thaw.api.Json;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.snapshot.store.ObjectNotFoundException;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which node token belongs to which node name. A node joins once with the cluster's join token,
 * and the token it made is bound to its name for good: a joiner with another token under a bound
 * name is refused, so no holder of the join token can take over a name in use, while the same
 * token joining again (its first answer was lost) is accepted. The gateway keeps only a
 * keyed hash of each token (HMAC-SHA256 under the gateway's identity key), in
 * {@code registry/nodes/<name>.json} of the store that holds the function registry, so a
 * restarted gateway still knows every node. The key matters because every node holds the store's
 * credentials: a binding written by anyone who lacks the key matches no token, so planting one
 * can lock a name out but never let its writer in.
 */
public final class NodeIdentities {
    private static final Logger LOG = System.getLogger(NodeIdentities.class.getName());
    static final String PREFIX = "registry/nodes/";
    static final int FORMAT = 1;
    /** A binding is a few hundred bytes; anything far larger is not one. */
    private static final long MAX_RECORD_BYTES = 16 * 1024;

    /** A name taken by an earlier joiner. */
    public static final class NameTaken extends Exception {
        NameTaken(String node) {
            super("node name '" + node + "' is bound to the node that joined under it first; a node rejoins with"
                    + " the credential kept in its work directory (identity.json). If that node is gone for good,"
                    + " remove the binding with DELETE /v1/nodes/" + node + " (user token)");
        }
    }

    /** What is stored per node. */
    record Binding(int format, String node, String tokenHmac, Instant joinedAt) {
    }

    private final ObjectStore store;
    private final byte[] key;
    private final InstantSource clock;
    private final Map<String, byte[]> bound = new ConcurrentHashMap<>();
    /**
     * Names found unbound in the store, until when: a caller with made-up tokens then costs no
     * store read per request. Bounded: cleared when it grows past {@link #MAX_ABSENT}.
     */
    private final Map<String, Instant> absent = new ConcurrentHashMap<>();
    private static final Duration ABSENT_FOR = Duration.ofSeconds(5);
    private static final int MAX_ABSENT = 10_000;

    /**
     * @param store where bindings are kept, or null to keep them in memory only (a restart forgets them)
     * @param identityKey the gateway's secret for the keyed hashes; must not change while bindings live
     */
    public NodeIdentities(ObjectStore store, String identityKey, InstantSource clock) {
        if (identityKey == null || identityKey.length() < 16) {
            throw new IllegalArgumentException("the gateway's identity key must be at least 16 characters");
        }
        this.store = store;
        this.key = identityKey.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    static String recordKey(String node) {
        return PREFIX + node + ".json";
    }

    /**
     * Binds {@code node} to {@code token}; true when this call made the binding, false when the same
     * token was bound already.
     *
     * @throws NameTaken when {@code node} is bound to another token
     */
    public synchronized boolean join(String node, String token) throws NameTaken, StoreException {
        if (!Membership.validNodeName(node)) {
            throw new IllegalArgumentException("invalid node name '" + node
                    + "': use 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        if (!NodeTokens.nodeOf(token).equals(Optional.of(node))) {
            throw new IllegalArgumentException("a node token for '" + node + "' is '" + node
                    + ".' followed by 64 lower-case hex digits of randomness");
        }
        byte[] mac = mac(token);
        byte[] existing = bound.get(node);
        if (existing == null && store != null) {
            existing = stored(node).orElse(null);
            if (existing == null && store.size(recordKey(node)).isPresent()) {
                throw new NameTaken(node); // an unreadable binding still holds the name
            }
        }
        if (existing != null) {
            if (!MessageDigest.isEqual(existing, mac)) {
                throw new NameTaken(node);
            }
            bound.putIfAbsent(node, existing);
            return false;
        }
        if (store != null) {
            byte[] record = Json.write(new Binding(FORMAT, node, HexFormat.of().formatHex(mac), clock.instant()))
                    .getBytes(StandardCharsets.UTF_8);
            // Create-if-absent, then read back: a store that ignores the condition still cannot let a
            // second joiner believe it won.
            store.create(recordKey(node), record);
            if (!MessageDigest.isEqual(stored(node).orElse(null), mac)) {
                throw new NameTaken(node);
            }
        }
        bound.put(node, mac);
        absent.remove(node);
        LOG.log(Level.INFO, "node " + node + " joined; its credential is bound to its name");
        return true;
    }

    /**
     * The node {@code token} belongs to, when it is a node token the gateway issued and still
     * binds. Compared in constant time.
     *
     * @throws StoreException when the binding must be read from a store that fails
     */
    public Optional<String> authenticate(String token) throws StoreException {
        Optional<String> node = NodeTokens.nodeOf(token);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        byte[] expected = bound.get(node.get());
        if (expected == null && store != null) {
            Instant until = absent.get(node.get());
            if (until != null && until.isAfter(clock.instant())) {
                return Optional.empty();
            }
            Optional<byte[]> loaded = stored(node.get());
            if (loaded.isEmpty()) {
                if (absent.size() > MAX_ABSENT) {
                    absent.clear();
                }
                absent.put(node.get(), clock.instant().plus(ABSENT_FOR));
                return Optional.empty();
            }
            expected = loaded.get();
            bound.putIfAbsent(node.get(), expected);
        }
        return expected != null && MessageDigest.isEqual(expected, mac(token)) ? node : Optional.empty();
    }

    /** Removes the binding of {@code node}, so the name can join again; false when there was none. */
    public synchronized boolean forget(String node) throws StoreException {
        boolean known = bound.remove(node) != null;
        if (store != null) {
            known |= store.size(recordKey(node)).isPresent();
            store.delete(recordKey(node));
        }
        if (known) {
            LOG.log(Level.INFO, "the binding of node " + node + " was removed; the name may join again");
        }
        return known;
    }

    /** The stored keyed hash of {@code node}'s token; empty when there is no usable binding. */
    private Optional<byte[]> stored(String node) throws StoreException {
        String key = recordKey(node);
        byte[] bytes;
        try {
            var size = store.size(key);
            if (size.isEmpty()) {
                return Optional.empty();
            }
            if (size.getAsLong() > MAX_RECORD_BYTES) {
                LOG.log(Level.ERROR, "node binding " + key + " is " + size.getAsLong() + " bytes, over "
                        + MAX_RECORD_BYTES + "; it is ignored and the name stays locked until it is removed");
                return Optional.empty();
            }
            bytes = store.get(key);
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
        try {
            Binding binding = Json.mapper().readValue(bytes, Binding.class);
            if (binding.format() != FORMAT || !node.equals(binding.node()) || binding.tokenHmac() == null
                    || !binding.tokenHmac().matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("format " + binding.format() + ", node " + binding.node());
            }
            return Optional.of(HexFormat.of().parseHex(binding.tokenHmac()));
        } catch (java.io.IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "node binding " + key + " is not one this gateway can read (" + e.getMessage()
                    + "); the name stays locked until it is removed with DELETE /v1/nodes/" + node);
            return Optional.empty();
        }
    }

    private byte[] mac(String token) {
        return NodeTokens.hmac(key, token.getBytes(StandardCharsets.UTF_8));
    }
}
