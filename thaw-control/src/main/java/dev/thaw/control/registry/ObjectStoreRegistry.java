package dev.thaw.control.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.FunctionId;
import dev.thaw.api.Json;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The function registry in the object store Thaw already uses for snapshots, so a cluster
 * needs no second stateful service. Layout:
 * <pre>
 *   registry/functions/&lt;name&gt;/&lt;generation, 19 digits&gt;.json   one {@link RegistryRecord} per write
 *   registry/archives/&lt;sha256&gt;.tar.gz                         code archives, addressed by digest
 * </pre>
 * A write creates the next generation's key with {@link ObjectStore#create}, which succeeds for
 * exactly one writer, so two gateways (or two racing deploys) can never both win; the newest
 * generation is the function's state. Older generations are pruned past {@link #KEPT_GENERATIONS}.
 */
public final class ObjectStoreRegistry implements DurableRegistry {
    private static final Logger LOG = System.getLogger(ObjectStoreRegistry.class.getName());
    static final String FUNCTIONS = "registry/functions/";
    static final String ARCHIVES = "registry/archives/";
    /** Records are a few KiB; anything far larger is not one. */
    static final long MAX_RECORD_BYTES = 1L << 20;
    static final int KEPT_GENERATIONS = 8;
    private static final Pattern RECORD_KEY = Pattern.compile("registry/functions/([^/]+)/(\\d{19})\\.json");
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    private final ObjectStore store;
    private final InstantSource clock;

    public ObjectStoreRegistry(ObjectStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public String describe() {
        return store.describe() + " (" + FUNCTIONS + ")";
    }

    static String recordKey(String name, long generation) {
        return FUNCTIONS + name + "/" + String.format("%019d", generation) + ".json";
    }

    /** Where the code archive with SHA-256 {@code digest} is kept in the store. */
    public static String archiveKey(String digest) {
        return ARCHIVES + digest + ".tar.gz";
    }

    @Override
    public RegistryContents load() throws StoreException {
        return read(null);
    }

    /** Lists every record key, but reads only the records of names whose latest generation is not {@code known}'s. */
    @Override
    public RegistryContents changedSince(Map<String, Long> known) throws StoreException {
        return read(known);
    }

    private RegistryContents read(Map<String, Long> known) throws StoreException {
        Map<String, TreeMap<Long, String>> byName = new TreeMap<>();
        List<RegistryProblem> problems = new ArrayList<>();
        for (String key : store.list(FUNCTIONS)) {
            Matcher m = RECORD_KEY.matcher(key);
            if (!m.matches() || !FunctionId.isKey(m.group(1))) {
                String rest = key.substring(FUNCTIONS.length());
                problems.add(new RegistryProblem(rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest, key,
                        "not a registry record key (expected " + FUNCTIONS + "<function key>/<19-digit generation>.json);"
                                + " it changes no function; remove it", true, 0));
                continue;
            }
            byName.computeIfAbsent(m.group(1), n -> new TreeMap<>()).put(Long.parseLong(m.group(2)), key);
        }
        List<StoredFunction> functions = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Long, String>> e : byName.entrySet()) {
            String name = e.getKey();
            long generation = e.getValue().lastKey();
            if (known != null && known.getOrDefault(name, 0L) == generation) {
                continue;
            }
            String key = e.getValue().lastEntry().getValue();
            RegistryRecord record;
            try {
                record = read(name, generation, key);
            } catch (BadRecord bad) {
                LOG.log(Level.ERROR, "function registry: " + key + ": " + bad.getMessage());
                problems.add(new RegistryProblem(name, key, bad.getMessage(), false, generation));
                continue;
            }
            if (record.deleted()) {
                continue;
            }
            if (record.archiveDigest() != null && store.size(archiveKey(record.archiveDigest())).isEmpty()) {
                String problem = "its code archive " + archiveKey(record.archiveDigest()) + " is gone; "
                        + name + " keeps serving revision " + record.revision()
                        + " from its published image, but deploy it again so it can be rebuilt";
                LOG.log(Level.WARNING, "function registry: " + key + ": " + problem);
                problems.add(new RegistryProblem(name, key, problem, true, generation));
            }
            functions.add(new StoredFunction(record.function(), record.archiveDigest(), generation));
        }
        return new RegistryContents(functions, problems, generations(byName));
    }

    private static Map<String, Long> generations(Map<String, TreeMap<Long, String>> byName) {
        Map<String, Long> latest = new TreeMap<>();
        byName.forEach((name, gens) -> latest.put(name, gens.lastKey()));
        return latest;
    }

    private static final class BadRecord extends Exception {
        BadRecord(String message) {
            super(message);
        }
    }

    private RegistryRecord read(String name, long generation, String key) throws StoreException, BadRecord {
        OptionalLong size = store.size(key);
        if (size.isEmpty()) {
            throw new BadRecord("the record vanished while the registry was read; it was deleted concurrently");
        }
        if (size.getAsLong() > MAX_RECORD_BYTES) {
            throw new BadRecord("the record is " + size.getAsLong() + " bytes, more than " + MAX_RECORD_BYTES
                    + "; it is not a registry record; deploy the function again");
        }
        String json = new String(store.get(key), StandardCharsets.UTF_8);
        try {
            JsonNode tree = Json.mapper().readTree(json);
            JsonNode format = tree == null ? null : tree.get("format");
            if (format == null || !format.canConvertToInt()) {
                throw new BadRecord("the record has no integer \"format\"; it is malformed; deploy the function again");
            }
            if (format.intValue() > RegistryRecord.FORMAT) {
                throw new BadRecord("the record has format " + format.intValue() + ", written by a newer Thaw; this"
                        + " gateway reads format " + RegistryRecord.FORMAT + " and older; upgrade the gateway");
            }
            RegistryRecord record = Json.read(json, RegistryRecord.class);
            String inconsistency = record.inconsistency(name, generation);
            if (inconsistency != null) {
                throw new BadRecord(inconsistency + "; deploy the function again");
            }
            return record;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | UncheckedIOException
                | IllegalArgumentException e) {
            throw new BadRecord("the record is malformed: " + e.getMessage() + "; deploy the function again");
        }
    }

    @Override
    public StoredFunction write(DeployedFunction function, String archiveDigest, long expectedGeneration)
            throws RegistryConflictException, StoreException {
        long generation = commit(function.name(), expectedGeneration,
                g -> RegistryRecord.of(function, archiveDigest, g));
        return new StoredFunction(function, archiveDigest, generation);
    }

    @Override
    public long delete(String name, long expectedGeneration) throws RegistryConflictException, StoreException {
        return commit(name, expectedGeneration, g -> RegistryRecord.deletion(name, g, clock.instant()));
    }

    private long commit(String name, long expected, java.util.function.LongFunction<RegistryRecord> record)
            throws RegistryConflictException, StoreException {
        FunctionId.requireKey(name);
        List<String> keys = store.list(FUNCTIONS + name + "/");
        long latest = keys.stream().map(RECORD_KEY::matcher).filter(Matcher::matches)
                .mapToLong(m -> Long.parseLong(m.group(2))).max().orElse(0);
        // Pruning removes old generations, so a stale writer is caught here as well as by create().
        if (latest != expected) {
            throw conflict(name, expected, latest);
        }
        long next = expected + 1;
        byte[] json = Json.write(record.apply(next)).getBytes(StandardCharsets.UTF_8);
        if (!store.create(recordKey(name, next), json)) {
            throw conflict(name, expected, next);
        }
        prune(name, keys, next);
        return next;
    }

    private static RegistryConflictException conflict(String name, long expected, long found) {
        return new RegistryConflictException("function '" + name + "' changed while this request ran (expected"
                + " registry generation " + expected + ", found " + found + "); read it again and retry");
    }

    private void prune(String name, List<String> keys, long latest) {
        for (String key : keys) {
            Matcher m = RECORD_KEY.matcher(key);
            if (m.matches() && Long.parseLong(m.group(2)) <= latest - KEPT_GENERATIONS) {
                try {
                    store.delete(key);
                } catch (StoreException e) {
                    LOG.log(Level.WARNING, "cannot prune old registry record " + key + " of " + name + ": "
                            + e.getMessage());
                }
            }
        }
    }

    @Override
    public String putArchive(byte[] tarGz) throws StoreException {
        String digest = sha256(tarGz);
        String key = archiveKey(digest);
        if (store.size(key).isEmpty()) {
            store.put(key, tarGz);
        }
        return digest;
    }

    @Override
    public byte[] archive(String digest) throws StoreException {
        if (!DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("'" + digest + "' is not a SHA-256 digest");
        }
        return store.get(archiveKey(digest));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
