package dev.thaw.control.access;

import dev.thaw.api.FunctionId;
import dev.thaw.api.Json;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Namespaces, their quotas and the namespace tokens, kept beside the function registry as one
 * JSON document per generation ({@code registry/access/<generation, 19 digits>.json}), written
 * with create-if-absent so two writers never both win, like the registry's records. Tokens are
 * {@code thaw_<id>_<secret>}; only a keyed hash of each (HMAC-SHA256 under the gateway's identity
 * key) is kept, so neither the store's readers nor anyone who plants a record can make a token
 * that works. Authentication reads an immutable in-memory snapshot: no store read per request.
 * The {@value FunctionId#DEFAULT} namespace always exists.
 */
public final class AccessStore {
    private static final Logger LOG = System.getLogger(AccessStore.class.getName());
    static final String PREFIX = "registry/access/";
    static final int FORMAT = 1;
    static final int KEPT_GENERATIONS = 8;
    /** A document of thousands of tokens is far below this; a larger object is not one. */
    static final long MAX_DOCUMENT_BYTES = 4L << 20;
    private static final Pattern DOCUMENT_KEY = Pattern.compile(Pattern.quote(PREFIX) + "(\\d{19})\\.json");
    private static final Pattern TOKEN = Pattern.compile("thaw_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern HMAC = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_DESCRIPTION = 200;

    /** One namespace as stored. */
    public record NamespaceEntry(String name, Instant createdAt, Quota quota) {
    }

    /** One token as stored: never its secret. */
    public record TokenEntry(String id, String tokenHmac, List<String> namespaces, String description,
            Instant createdAt, Instant expiresAt, Instant revokedAt) {
        TokenEntry revoked(Instant at) {
            return new TokenEntry(id, tokenHmac, namespaces, description, createdAt, expiresAt, at);
        }
    }

    /** What is stored per generation. */
    record Document(int format, long generation, List<NamespaceEntry> namespaces, List<TokenEntry> tokens) {
    }

    /** A token just issued: its entry, and the secret the caller gets once. */
    public record Issued(TokenEntry entry, String token) {
    }

    /** An immutable view of one generation, swapped whole on every change. */
    private record State(long generation, Map<String, NamespaceEntry> namespaces, Map<String, TokenEntry> tokens) {
        static State of(long generation, Collection<NamespaceEntry> namespaces, Collection<TokenEntry> tokens) {
            Map<String, NamespaceEntry> ns = new TreeMap<>();
            ns.put(FunctionId.DEFAULT, new NamespaceEntry(FunctionId.DEFAULT, Instant.EPOCH, Quota.NONE));
            namespaces.forEach(n -> ns.put(n.name(), n));
            Map<String, TokenEntry> byId = new TreeMap<>();
            tokens.forEach(t -> byId.put(t.id(), t));
            return new State(generation, Map.copyOf(ns), Map.copyOf(byId));
        }

        Document document() {
            return new Document(FORMAT, generation, new TreeMap<>(namespaces).values().stream().toList(),
                    new TreeMap<>(tokens).values().stream().toList());
        }
    }

    private final ObjectStore store;
    private final byte[] key;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<javax.crypto.Mac> macs;
    private volatile State state = State.of(0, List.of(), List.of());
    private volatile String unavailable;

    /**
     * @param store where the document lives, or null to keep it in this process only (a restart forgets it)
     * @param identityKey the gateway's secret for the keyed hashes; must not change while tokens live
     */
    public AccessStore(ObjectStore store, String identityKey, InstantSource clock) {
        if (identityKey == null || identityKey.length() < 16) {
            throw new IllegalArgumentException("the gateway's identity key must be at least 16 characters");
        }
        this.store = store;
        this.key = identityKey.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
                mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
                return mac;
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        });
        this.unavailable = store == null ? null : "namespaces and tokens are being loaded from " + store.describe();
    }

    /** Where the document lives, for logs. */
    public String describe() {
        return store == null ? "memory (a restart forgets namespaces and tokens)" : store.describe() + " (" + PREFIX + ")";
    }

    /** Why namespace tokens cannot be checked yet, or empty once the document is loaded. */
    public Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    static String documentKey(long generation) {
        return PREFIX + String.format("%019d", generation) + ".json";
    }

    /**
     * Reads the newest document from the store. A document that cannot be read is an error, never
     * taken for "no tokens": namespace tokens then get 503 until a load succeeds.
     */
    public synchronized void load() throws StoreException {
        if (store == null) {
            return;
        }
        try {
            state = read();
            unavailable = null;
        } catch (StoreException e) {
            unavailable = "namespaces and tokens cannot be read from " + describe() + ": " + e.getMessage();
            throw e;
        }
    }

    /**
     * Takes a newer generation another gateway of the same store wrote, if any: one listing when
     * nothing changed. A failure keeps the current state (and is the caller's to log).
     */
    public synchronized void refresh() throws StoreException {
        if (store == null || unavailable != null) {
            load();
            return;
        }
        if (latestGeneration() > state.generation()) {
            state = read();
        }
    }

    private long latestGeneration() throws StoreException {
        long latest = 0;
        for (String k : store.list(PREFIX)) {
            Matcher m = DOCUMENT_KEY.matcher(k);
            if (m.matches()) {
                latest = Math.max(latest, Long.parseLong(m.group(1)));
            }
        }
        return latest;
    }

    private State read() throws StoreException {
        long latest = 0;
        for (String k : store.list(PREFIX)) {
            Matcher m = DOCUMENT_KEY.matcher(k);
            if (m.matches()) {
                latest = Math.max(latest, Long.parseLong(m.group(1)));
            } else {
                LOG.log(Level.WARNING, "ignoring " + k + ": not a namespace document key (expected " + PREFIX
                        + "<19-digit generation>.json)");
            }
        }
        if (latest == 0) {
            return State.of(0, List.of(), List.of());
        }
        String k = documentKey(latest);
        OptionalLong size = store.size(k);
        if (size.isEmpty()) {
            throw new StoreException(k + " vanished while it was read; another gateway pruned it, retry");
        }
        if (size.getAsLong() > MAX_DOCUMENT_BYTES) {
            throw new StoreException(k + " is " + size.getAsLong() + " bytes, more than " + MAX_DOCUMENT_BYTES
                    + "; it is not a namespace document");
        }
        Document doc;
        try {
            doc = Json.mapper().readValue(store.get(k), Document.class);
        } catch (java.io.IOException | RuntimeException e) {
            throw new StoreException(k + " is malformed: " + e.getMessage());
        }
        String problem = problem(doc, latest);
        if (problem != null) {
            throw new StoreException(k + ": " + problem);
        }
        return State.of(latest, doc.namespaces(), doc.tokens());
    }

    private static String problem(Document doc, long generation) {
        if (doc == null || doc.format() != FORMAT) {
            return "format " + (doc == null ? "missing" : doc.format()) + "; this gateway reads format " + FORMAT;
        }
        if (doc.generation() != generation || doc.namespaces() == null || doc.tokens() == null) {
            return "the document's generation, namespaces or tokens do not fit its key";
        }
        for (NamespaceEntry n : doc.namespaces()) {
            if (n == null || !FunctionId.isNamespace(n.name()) || n.quota() == null) {
                return "a namespace entry is malformed: " + n;
            }
        }
        for (TokenEntry t : doc.tokens()) {
            if (t == null || t.id() == null || !ID.matcher(t.id()).matches() || t.tokenHmac() == null
                    || !HMAC.matcher(t.tokenHmac()).matches() || t.namespaces() == null
                    || !t.namespaces().stream().allMatch(FunctionId::isNamespace)) {
                return "a token entry is malformed: " + (t == null ? null : t.id());
            }
        }
        return null;
    }

    /**
     * The caller {@code presented} names: the admin when it is {@code adminToken}, else a live
     * namespace token.
     *
     * @throws AccessException 401 saying whether the token is malformed, unknown, revoked or expired;
     *     503 while namespace tokens cannot be checked
     */
    public Principal authenticate(String presented, String adminToken) throws AccessException {
        if (presented.isEmpty()) {
            throw new AccessException(401, "unauthorized", "this API needs 'Authorization: Bearer <token>'");
        }
        if (adminToken != null && !adminToken.isEmpty() && MessageDigest.isEqual(
                presented.getBytes(StandardCharsets.UTF_8), adminToken.getBytes(StandardCharsets.UTF_8))) {
            return Principal.ADMIN;
        }
        Matcher m = TOKEN.matcher(presented);
        if (!m.matches()) {
            throw new AccessException(401, "unauthorized", "the token is not valid for this API: it is neither the"
                    + " admin token nor a namespace token (thaw_<16 hex digits>_<43 characters>)");
        }
        String notLoaded = unavailable;
        if (notLoaded != null) {
            throw new AccessException(503, "access_unavailable", notLoaded);
        }
        TokenEntry entry = state.tokens().get(m.group(1));
        if (entry == null || !MessageDigest.isEqual(HexFormat.of().parseHex(entry.tokenHmac()), mac(presented))) {
            throw new AccessException(401, "unauthorized", "the token is not valid for this API: no token with id "
                    + m.group(1) + " was issued by this cluster (or its secret is wrong)");
        }
        if (entry.revokedAt() != null) {
            throw new AccessException(401, "unauthorized", "the token " + entry.id() + " was revoked at "
                    + entry.revokedAt() + "; ask the admin for a new one");
        }
        if (entry.expiresAt() != null && !clock.instant().isBefore(entry.expiresAt())) {
            throw new AccessException(401, "unauthorized", "the token " + entry.id() + " expired at "
                    + entry.expiresAt() + "; ask the admin for a new one");
        }
        return new Principal(entry.id(), false, new LinkedHashSet<>(entry.namespaces()));
    }

    private byte[] mac(String token) {
        return macs.get().doFinal(token.getBytes(StandardCharsets.UTF_8));
    }

    /** The namespace named {@code name}, if it exists. */
    public Optional<NamespaceEntry> namespace(String name) {
        return Optional.ofNullable(state.namespaces().get(name));
    }

    /** Every namespace, by name. */
    public List<NamespaceEntry> namespaces() {
        return new TreeMap<>(state.namespaces()).values().stream().toList();
    }

    /** Every token ever issued and not pruned, revoked ones too, by id. */
    public List<TokenEntry> tokens() {
        return new TreeMap<>(state.tokens()).values().stream().toList();
    }

    /** Creates namespace {@code name} with {@code quota}. */
    public NamespaceEntry createNamespace(String name, Quota quota) throws AccessException, StoreException {
        FunctionId.requireNamespace(name);
        NamespaceEntry entry = new NamespaceEntry(name, clock.instant(), quota == null ? Quota.NONE : quota);
        change(s -> {
            if (s.namespaces().containsKey(name)) {
                throw new AccessException(409, "namespace_exists", "namespace '" + name + "' exists already");
            }
            return with(s, entry);
        });
        LOG.log(Level.INFO, "namespace " + name + " created");
        return entry;
    }

    /** Sets the quota of an existing namespace. */
    public NamespaceEntry setQuota(String name, Quota quota) throws AccessException, StoreException {
        NamespaceEntry[] updated = new NamespaceEntry[1];
        change(s -> {
            NamespaceEntry existing = s.namespaces().get(name);
            if (existing == null) {
                throw AccessException.unknownNamespace(name);
            }
            updated[0] = new NamespaceEntry(name, existing.createdAt(), quota == null ? Quota.NONE : quota);
            return with(s, updated[0]);
        });
        return updated[0];
    }

    /**
     * Deletes namespace {@code name}; the caller has checked that no function lives in it. Tokens
     * keep their entry but lose the namespace.
     */
    public void deleteNamespace(String name) throws AccessException, StoreException {
        if (name.equals(FunctionId.DEFAULT)) {
            throw new AccessException(409, "namespace_protected", "the default namespace cannot be deleted");
        }
        change(s -> {
            if (!s.namespaces().containsKey(name)) {
                throw AccessException.unknownNamespace(name);
            }
            Map<String, NamespaceEntry> ns = new TreeMap<>(s.namespaces());
            ns.remove(name);
            List<TokenEntry> tokens = new ArrayList<>();
            for (TokenEntry t : s.tokens().values()) {
                List<String> left = t.namespaces().stream().filter(n -> !n.equals(name)).toList();
                tokens.add(new TokenEntry(t.id(), t.tokenHmac(), left, t.description(), t.createdAt(), t.expiresAt(),
                        t.revokedAt()));
            }
            return State.of(s.generation() + 1, ns.values(), tokens);
        });
        LOG.log(Level.INFO, "namespace " + name + " deleted");
    }

    /** Issues a token for {@code namespaces} (each must exist), valid until {@code expiresAt} (null: for ever). */
    public Issued issue(List<String> namespaces, Instant expiresAt, String description)
            throws AccessException, StoreException {
        if (namespaces == null || namespaces.isEmpty()) {
            throw new AccessException(400, "bad_request", "a token needs at least one namespace");
        }
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw new AccessException(400, "bad_request", "expiresAt " + expiresAt + " is not in the future");
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw new AccessException(400, "bad_request", "a token's description is at most " + MAX_DESCRIPTION
                    + " characters");
        }
        List<String> scope = List.copyOf(new LinkedHashSet<>(namespaces));
        for (String n : scope) {
            if (!FunctionId.isNamespace(n)) {
                FunctionId.requireNamespace(n);
            }
        }
        byte[] idBytes = new byte[8];
        byte[] secret = new byte[32];
        random.nextBytes(idBytes);
        random.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String token = "thaw_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        TokenEntry entry = new TokenEntry(id, HexFormat.of().formatHex(mac(token)), scope, description,
                clock.instant(), expiresAt, null);
        change(s -> {
            for (String n : scope) {
                if (!s.namespaces().containsKey(n)) {
                    throw AccessException.unknownNamespace(n);
                }
            }
            List<TokenEntry> tokens = new ArrayList<>(s.tokens().values());
            tokens.add(entry);
            return State.of(s.generation() + 1, s.namespaces().values(), tokens);
        });
        LOG.log(Level.INFO, "token " + id + " issued for namespace(s) " + String.join(", ", scope));
        return new Issued(entry, token);
    }

    /** Revokes token {@code id}: it gets 401 from the next request on. Revoking twice is harmless. */
    public TokenEntry revoke(String id) throws AccessException, StoreException {
        TokenEntry[] revoked = new TokenEntry[1];
        change(s -> {
            TokenEntry t = id == null ? null : s.tokens().get(id);
            if (t == null) {
                throw new AccessException(404, "unknown_token", "no token has id '" + id + "'");
            }
            revoked[0] = t.revokedAt() != null ? t : t.revoked(clock.instant());
            List<TokenEntry> tokens = new ArrayList<>(s.tokens().values());
            tokens.replaceAll(x -> x.id().equals(id) ? revoked[0] : x);
            return State.of(s.generation() + 1, s.namespaces().values(), tokens);
        });
        LOG.log(Level.INFO, "token " + id + " revoked");
        return revoked[0];
    }

    private static State with(State s, NamespaceEntry entry) {
        Map<String, NamespaceEntry> ns = new TreeMap<>(s.namespaces());
        ns.put(entry.name(), entry);
        return State.of(s.generation() + 1, ns.values(), s.tokens().values());
    }

    @FunctionalInterface
    private interface Change {
        State apply(State current) throws AccessException;
    }

    /** Applies {@code change} to the current state and writes the result as the next generation. */
    private synchronized void change(Change change) throws AccessException, StoreException {
        if (unavailable != null) {
            throw new AccessException(503, "access_unavailable", unavailable);
        }
        State current = state;
        State next = change.apply(current);
        if (store != null) {
            byte[] json = Json.write(next.document()).getBytes(StandardCharsets.UTF_8);
            if (!store.create(documentKey(next.generation()), json)) {
                // Another gateway wrote meanwhile: take its state, and let the caller retry on it.
                state = read();
                throw new AccessException(409, "conflict", "namespaces or tokens were changed by another gateway"
                        + " while this request ran; nothing changed here, retry");
            }
            prune(next.generation());
        }
        state = next;
    }

    private void prune(long latest) {
        try {
            for (String k : store.list(PREFIX)) {
                Matcher m = DOCUMENT_KEY.matcher(k);
                if (m.matches() && Long.parseLong(m.group(1)) <= latest - KEPT_GENERATIONS) {
                    store.delete(k);
                }
            }
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "cannot prune old namespace documents: " + e.getMessage());
        }
    }
}
