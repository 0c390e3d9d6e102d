package dev.thaw.k8s.functions;

import dev.thaw.api.FunctionId;
import dev.thaw.api.FunctionName;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.registry.DurableRegistry;
import dev.thaw.control.registry.ObjectStoreRegistry;
import dev.thaw.control.registry.RegistryConflictException;
import dev.thaw.control.registry.RegistryContents;
import dev.thaw.control.registry.RegistryProblem;
import dev.thaw.control.registry.StoredFunction;
import dev.thaw.k8s.crd.FunctionCondition;
import dev.thaw.k8s.crd.ServedRevision;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.k8s.crd.ThawFunctionSpec;
import dev.thaw.k8s.crd.ThawFunctionStatus;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * The gateway's registry on Kubernetes: one namespace's ThawFunction resources, read through
 * an informer, are the functions; code archives stay in the object store by digest.
 *
 * <p>A function's generation is its object's {@code metadata.generation}, which the API server
 * raises on every spec change (and not on status writes). Users write specs, with their own
 * Kubernetes rights; a gateway only writes status. So {@link #write} records a revision the
 * gateway built or served for the spec the object holds now (in {@code status.served}, written
 * with the {@code resourceVersion} it read, so a spec changed meanwhile is a conflict, never
 * overwritten), and refuses a spec the object does not hold. {@link #delete} succeeds once the
 * object is gone, and refuses while it exists: {@code kubectl delete} deletes.
 *
 * <p>The namespace is explicit: the registry serves the functions of {@link #namespace()} only.
 */
public final class ThawFunctionRegistry implements DurableRegistry, AutoCloseable {
    /** How long {@link #load} waits for the informer's first list before it reports the API unreadable. */
    static final Duration SYNC_WAIT = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final String namespace;
    private final ObjectStore store;
    private final ObjectStoreRegistry archives;
    private final InstantSource clock;
    private final SharedIndexInformer<ThawFunction> informer;
    private final CompletableFuture<Void> synced;

    /** Starts watching {@code namespace}'s ThawFunctions; archives are read from and kept in {@code store}. */
    public ThawFunctionRegistry(KubernetesClient client, String namespace, ObjectStore store, InstantSource clock,
            Duration resync) {
        this.client = client;
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.store = Objects.requireNonNull(store, "an object store: archives are kept there");
        this.archives = new ObjectStoreRegistry(store, clock);
        this.clock = clock;
        this.informer = resources().runnableInformer(resync.toMillis());
        this.synced = informer.start().toCompletableFuture();
    }

    private MixedOperation<ThawFunction, KubernetesResourceList<ThawFunction>, Resource<ThawFunction>> all() {
        return client.resources(ThawFunction.class);
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<ThawFunction, KubernetesResourceList<ThawFunction>,
            Resource<ThawFunction>> resources() {
        return all().inNamespace(namespace);
    }

    /** The Kubernetes namespace, which is the Thaw namespace, of every function this registry holds. */
    public String namespace() {
        return namespace;
    }

    /** The gateway's registry key of the object named {@code name}: the function {@code namespace/name}. */
    public String key(String name) {
        return new FunctionId(namespace, name).key();
    }

    /** The object name of the function the gateway keys {@code key}; refuses one of another namespace. */
    String objectName(String key) throws StoreException {
        FunctionId id;
        try {
            id = FunctionId.ofKey(key);
        } catch (IllegalArgumentException e) {
            throw new StoreException(e.getMessage());
        }
        if (!id.namespace().equals(namespace)) {
            throw new StoreException("function " + id.namespace() + "/" + id.name() + " is not in namespace "
                    + namespace + ", whose ThawFunctions this gateway serves");
        }
        return id.name();
    }

    public ObjectStore store() {
        return store;
    }

    public InstantSource clock() {
        return clock;
    }

    /** The informer, for the controller to follow the same resources. */
    SharedIndexInformer<ThawFunction> informer() {
        return informer;
    }

    @Override
    public String describe() {
        return "ThawFunction resources in Kubernetes namespace " + namespace + " (archives in " + store.describe()
                + ")";
    }

    /** The object {@code name} as the informer last saw it, or null. */
    public ThawFunction cached(String name) {
        return informer.getStore().getByKey(namespace + "/" + name);
    }

    /** Every object the informer holds. */
    List<ThawFunction> cachedAll() {
        return informer.getStore().list().stream()
                .filter(f -> namespace.equals(f.getMetadata().getNamespace())).toList();
    }

    private void requireSynced() throws StoreException {
        try {
            synced.get(SYNC_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StoreException("the ThawFunctions of namespace " + namespace + " were not listed within "
                    + SYNC_WAIT.toSeconds() + " s; check that the API server is reachable and that the gateway may"
                    + " list thawfunctions.thaw.dev there");
        } catch (ExecutionException e) {
            throw new StoreException("cannot list the ThawFunctions of namespace " + namespace + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while listing ThawFunctions", e);
        }
    }

    @Override
    public RegistryContents load() throws StoreException {
        requireSynced();
        List<StoredFunction> functions = new ArrayList<>();
        List<RegistryProblem> problems = new ArrayList<>();
        Map<String, Long> generations = new TreeMap<>();
        for (ThawFunction object : cachedAll()) {
            String name = object.getMetadata().getName();
            if (!FunctionName.isValid(name) || !FunctionId.isNamespace(name)) {
                continue; // the controller says why on its status; the gateway can key no function by it
            }
            String fn = key(name);
            long generation = generation(object);
            generations.put(fn, generation);
            String key = "thawfunction " + namespace + "/" + name;
            ThawFunctionStatus status = object.getStatus() == null ? ThawFunctionStatus.EMPTY : object.getStatus();
            boolean serving = false;
            if (status.served() != null) {
                try {
                    DeployedFunction served = ServedRevisions.function(fn, status.served());
                    functions.add(new StoredFunction(served, ServedRevisions.digest(status.served()), generation));
                    serving = true;
                } catch (RuntimeException e) {
                    problems.add(new RegistryProblem(fn, key, "its status.served cannot be served: "
                            + e.getMessage() + "; the gateway builds its spec again", false, generation));
                    continue;
                }
            }
            String pending = pending(object, status);
            if (pending != null) {
                problems.add(new RegistryProblem(fn, key, pending, serving, generation));
            }
        }
        return new RegistryContents(functions, problems, generations);
    }

    // Why the object's current spec is not what is served, or null when it is.
    private static String pending(ThawFunction object, ThawFunctionStatus status) {
        long generation = generation(object);
        FunctionCondition ready = status.ready().orElse(null);
        boolean current = ready != null && Objects.equals(ready.observedGeneration(), generation);
        if (current && "False".equals(ready.status())) {
            return "Ready=False (" + ready.reason() + "): " + ready.message();
        }
        if (current && "True".equals(ready.status()) && status.served() != null) {
            return null;
        }
        return "generation " + generation + " of its spec is not deployed yet; a gateway is deploying it";
    }

    static long generation(ThawFunction object) {
        Long g = object.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }

    @Override
    public StoredFunction write(DeployedFunction function, String archiveDigest, long expectedGeneration)
            throws RegistryConflictException, StoreException {
        String name = objectName(function.name());
        if (archiveDigest == null) {
            throw new StoreException("a function on Kubernetes is built from its code archive in the store, and "
                    + name + " has none; deploy it with 'thaw deploy --kubernetes-namespace " + namespace + " DIR'");
        }
        ThawFunction current = fetch(name);
        ThawFunctionSpec wanted = new ThawFunctionSpec(Declaration.archiveRef(archiveDigest),
                ThawFunctionSettings.of(function.settings()));
        if (current == null || !declares(current, wanted)) {
            long found = current == null ? 0 : generation(current);
            if (found != expectedGeneration) {
                throw conflict(name, expectedGeneration, found);
            }
            throw new StoreException("on Kubernetes a function is its ThawFunction resource, which gateways do not"
                    + " write: 'thaw deploy --kubernetes-namespace " + namespace + " DIR' or 'kubectl apply' writes"
                    + " it, and the gateways deploy what it declares");
        }
        long generation = generation(current);
        ServedRevision served = ServedRevisions.of(function, archiveDigest);
        FunctionCondition ready = condition(current, "True", "Deployed", "revision " + function.revision()
                + " serves generation " + generation);
        updateStatus(current, s -> s.withServed(served).withReady(ready, generation));
        return new StoredFunction(function, archiveDigest, generation);
    }

    // Whether the object's spec declares exactly this archive and these settings.
    private static boolean declares(ThawFunction object, ThawFunctionSpec wanted) {
        try {
            Declaration d = Declaration.of(object);
            return d.digest().equals(wanted.archive().substring(Declaration.PREFIX.length()))
                    && d.settings().equals(wanted.settings().resolve());
        } catch (InvalidFunction e) {
            return false;
        }
    }

    @Override
    public long delete(String key, long expectedGeneration) throws RegistryConflictException, StoreException {
        String name = objectName(key);
        ThawFunction current = fetch(name);
        if (current == null) {
            // Its object is gone: a name deleted starts again from generation 0 when created anew.
            return 0;
        }
        if (generation(current) != expectedGeneration) {
            throw conflict(name, expectedGeneration, generation(current));
        }
        throw new StoreException("on Kubernetes a function is its ThawFunction resource, which gateways do not delete:"
                + " 'kubectl delete thawfunction " + name + " -n " + namespace + "' deletes it");
    }

    /**
     * Writes {@code change} of the object's status. The change is applied to the status as the API server
     * has it now, and written with the {@code resourceVersion} read with it; it is a conflict when the spec
     * is no longer the one {@code seen} holds (another generation), or the object changed in between.
     *
     * @return the object as written, or as read when the change changes nothing
     */
    ThawFunction updateStatus(ThawFunction seen, UnaryOperator<ThawFunctionStatus> change)
            throws RegistryConflictException, StoreException {
        String name = seen.getMetadata().getName();
        ThawFunction current = fetch(name);
        if (current == null || generation(current) != generation(seen)) {
            throw new RegistryConflictException("thawfunction " + namespace + "/" + name + " changed (generation "
                    + generation(seen) + ", now " + (current == null ? "deleted" : generation(current))
                    + "); read it again and retry");
        }
        ThawFunctionStatus before = current.getStatus() == null ? ThawFunctionStatus.EMPTY : current.getStatus();
        ThawFunctionStatus after = change.apply(before);
        if (after.equals(before)) {
            return current;
        }
        current.setStatus(after);
        try {
            return resources().resource(current).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409 || e.getCode() == 404) {
                throw new RegistryConflictException("thawfunction " + namespace + "/" + name + " changed while its"
                        + " status was written (" + e.getCode() + "); read it again and retry");
            }
            throw new StoreException("cannot write the status of thawfunction " + namespace + "/" + name + ": "
                    + e.getMessage(), e);
        }
    }

    /** The Ready condition to write on {@code object}, keeping its transition time when its status stays. */
    FunctionCondition condition(ThawFunction object, String status, String reason, String message) {
        FunctionCondition before = object.getStatus() == null ? null : object.getStatus().ready().orElse(null);
        String since = before != null && status.equals(before.status()) && before.lastTransitionTime() != null
                ? before.lastTransitionTime() : clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        .toString();
        return new FunctionCondition(FunctionCondition.READY, status, reason, message, since, generation(object));
    }

    /** The object {@code name} as the API server has it now, or null. */
    ThawFunction fetch(String name) throws StoreException {
        try {
            return resources().withName(name).get();
        } catch (KubernetesClientException e) {
            throw new StoreException("cannot read thawfunction " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
    }

    private RegistryConflictException conflict(String name, long expected, long found) {
        return new RegistryConflictException("thawfunction " + namespace + "/" + name + " changed while this request"
                + " ran (expected generation " + expected + ", found " + found + "); read it again and retry");
    }

    @Override
    public String putArchive(byte[] tarGz) throws StoreException {
        return archives.putArchive(tarGz);
    }

    @Override
    public byte[] archive(String digest) throws StoreException {
        return archives.archive(digest);
    }

    /** Whether the store holds the archive with that digest. */
    boolean hasArchive(String digest) throws StoreException {
        return store.size(ObjectStoreRegistry.archiveKey(digest)).isPresent();
    }

    @Override
    public void close() {
        informer.close();
    }
}
