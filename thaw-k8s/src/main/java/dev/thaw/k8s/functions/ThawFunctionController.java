package dev.thaw.k8s.functions;

import dev.thaw.api.FunctionManifests;
import dev.thaw.api.ManifestException;
import dev.thaw.control.deploy.Deployer;
import dev.thaw.control.deploy.FunctionRegistry;
import dev.thaw.control.functions.Archives;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.registry.RegistryConflictException;
import dev.thaw.k8s.crd.FunctionCondition;
import dev.thaw.k8s.crd.ServedRevision;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionStatus;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.snapshot.store.ObjectNotFoundException;
import dev.thaw.snapshot.store.StoreException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Makes a gateway serve what its namespace's ThawFunctions declare. For each object it sees
 * (added, changed, deleted, or again at every informer resync) it checks the spec; a malformed
 * or conflicting one gets {@code Ready=False} with a reason and a message, and nothing of it is
 * deployed (a revision served before keeps serving). A spec some gateway already built (its
 * {@code status.served} has the spec's archive) is served without building again; any other is
 * built from its archive in the store through the gateway's {@link Deployer}, whose registry
 * write records the revision in the status. A deleted object's function is deleted.
 *
 * <p>Objects are handled one at a time on one thread, off the informer's: a build takes minutes.
 * Every replica of the gateway runs one; the first to finish a build records it, and the others
 * serve what it recorded.
 */
public final class ThawFunctionController implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ThawFunctionController.class.getName());
    public static final String BUILDING = "Building";

    private final ThawFunctionRegistry registry;
    private final Deployer deployer;
    private final FunctionRegistry functions;
    private final ThawHome home;
    private final long maxExtractedBytes;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("thawfunction-controller").daemon().factory());
    private final Set<String> queued = ConcurrentHashMap.newKeySet();

    /**
     * @param maxExtractedBytes the most an archive may unpack to, as for an uploaded deploy
     */
    public ThawFunctionController(ThawFunctionRegistry registry, Deployer deployer, FunctionRegistry functions,
            ThawHome home, long maxExtractedBytes) {
        this.registry = registry;
        this.deployer = deployer;
        this.functions = functions;
        this.home = home;
        this.maxExtractedBytes = maxExtractedBytes;
    }

    /** Follows the registry's informer from now on; objects it already holds are handled first. */
    public ThawFunctionController start() {
        registry.informer().addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ThawFunction object) {
                enqueue(object.getMetadata().getName());
            }

            @Override
            public void onUpdate(ThawFunction before, ThawFunction after) {
                enqueue(after.getMetadata().getName());
            }

            @Override
            public void onDelete(ThawFunction object, boolean finalStateUnknown) {
                enqueue(object.getMetadata().getName());
            }
        });
        return this;
    }

    private void enqueue(String name) {
        if (queued.add(name) && !worker.isShutdown()) {
            worker.execute(() -> {
                queued.remove(name);
                try {
                    reconcile(name);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "thawfunction " + registry.namespace() + "/" + name + ": " + e, e);
                }
            });
        }
    }

    /** Brings the gateway in step with the object {@code name} as the informer holds it now. */
    void reconcile(String name) throws InterruptedException {
        String id = "thawfunction " + registry.namespace() + "/" + name;
        ThawFunction object = registry.cached(name);
        try {
            if (object == null) {
                String key = dev.thaw.api.FunctionId.isNamespace(name) && dev.thaw.api.FunctionName.isValid(name)
                        ? registry.key(name) : null;
                if (key != null && (functions.find(key).isPresent() || functions.problem(key).isPresent())) {
                    deployer.delete(key);
                    LOG.log(Level.INFO, id + " was deleted; so is its function");
                }
                return;
            }
            if (functions.unavailable().isPresent()) {
                return; // the registry's first load retries, and every object is seen again at resync
            }
            reconcile(name, object);
        } catch (InvalidFunction e) {
            LOG.log(Level.WARNING, id + ": " + e.reason() + ": " + e.getMessage());
            reject(object, e);
        } catch (Deployer.RegistryWriteException e) {
            // A conflict means the object changed: its update is queued already.
            LOG.log(e.conflict() ? Level.INFO : Level.WARNING, id + ": " + e.getMessage());
        } catch (dev.thaw.control.access.QuotaExceededException e) {
            LOG.log(Level.WARNING, id + ": " + e.getMessage());
            reject(object, new InvalidFunction(InvalidFunction.QUOTA_EXCEEDED, e.getMessage()));
        } catch (IOException | StoreException | RegistryConflictException e) {
            LOG.log(Level.WARNING, id + ": " + e.getMessage() + "; tried again at the next resync");
        }
    }

    private void reconcile(String name, ThawFunction object) throws InvalidFunction, IOException, StoreException,
            RegistryConflictException, InterruptedException, dev.thaw.control.access.QuotaExceededException {
        long generation = ThawFunctionRegistry.generation(object);
        ThawFunctionStatus status = object.getStatus() == null ? ThawFunctionStatus.EMPTY : object.getStatus();
        FunctionCondition ready = status.ready().orElse(null);
        if (ready != null && "False".equals(ready.status()) && Objects.equals(ready.observedGeneration(), generation)
                && !InvalidFunction.ARCHIVE_MISSING.equals(ready.reason())) {
            return; // refused as written; only a new spec (a new generation) is tried again
        }
        Declaration declared = Declaration.of(object);
        String key = registry.key(name);
        DeployedFunction built = builtFrom(key, status.served(), declared.digest());
        if (built != null) {
            DeployedFunction serving = functions.find(key).orElse(null);
            if (serving != null && serving.revision().equals(built.revision())
                    && serving.settings().equals(declared.settings()) && ready != null && "True".equals(ready.status())
                    && Objects.equals(ready.observedGeneration(), generation)) {
                return;
            }
            deployer.deploy(built.spec(), built.imageDigest(), declared.digest(), declared.settings(),
                    built.exampleRequest());
            return;
        }
        if (!registry.hasArchive(declared.digest())) {
            throw missing(declared);
        }
        byte[] archive;
        try {
            archive = registry.archive(declared.digest());
        } catch (ObjectNotFoundException e) {
            throw missing(declared);
        }
        requireNamed(name, archive);
        registry.updateStatus(object, s -> s.withReady(registry.condition(object, "Unknown", BUILDING,
                "building the archive " + Declaration.archiveRef(declared.digest())), generation));
        try {
            deployer.deployArchive(archive, registry.namespace(), declared.settings(), maxExtractedBytes);
        } catch (ManifestException e) {
            throw new InvalidFunction(InvalidFunction.BUILD_FAILED, "the archive does not build: " + e.getMessage());
        } catch (Deployer.RegistryWriteException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidFunction(InvalidFunction.BUILD_FAILED, "the archive does not build: " + e.getMessage());
        }
    }

    private static InvalidFunction missing(Declaration declared) {
        return new InvalidFunction(InvalidFunction.ARCHIVE_MISSING, "the store holds no archive "
                + Declaration.archiveRef(declared.digest()) + "; upload it ('thaw deploy --kubernetes-namespace "
                + declared.namespace() + " DIR' does) and the gateways deploy it");
    }

    // What status.served holds, when it was built from this archive and can be served; else null.
    private static DeployedFunction builtFrom(String name, ServedRevision served, String digest) {
        if (served == null || !digest.equals(ServedRevisions.digest(served))) {
            return null;
        }
        try {
            return ServedRevisions.function(name, served);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "thawfunction " + name + ": status.served cannot be served (" + e.getMessage()
                    + "); building it again");
            return null;
        }
    }

    // The gateway deploys an archive under the name its thaw.yaml gives: it must be the object's.
    private void requireNamed(String name, byte[] archive) throws InvalidFunction, IOException {
        Path scratch = home.newTempDir("thawfunction");
        try {
            Path dir = scratch.resolve("function");
            String manifestName;
            try {
                Archives.extractTarGz(archive, dir, maxExtractedBytes);
                manifestName = FunctionManifests.read(dir).name();
            } catch (ManifestException e) {
                throw new InvalidFunction(InvalidFunction.BUILD_FAILED, "the archive's "
                        + FunctionManifests.MANIFEST_FILE + " is not valid: " + e.getMessage());
            } catch (IOException e) {
                throw new InvalidFunction(InvalidFunction.BUILD_FAILED, "the archive cannot be unpacked: "
                        + e.getMessage());
            }
            if (!name.equals(manifestName)) {
                throw new InvalidFunction(InvalidFunction.NAME_CONFLICT, "the archive's "
                        + FunctionManifests.MANIFEST_FILE + " names function '" + manifestName + "', but this"
                        + " ThawFunction is '" + name + "'; name them alike");
            }
        } finally {
            FileTrees.deleteQuietly(scratch);
        }
    }

    private void reject(ThawFunction object, InvalidFunction e) {
        long generation = ThawFunctionRegistry.generation(object);
        try {
            registry.updateStatus(object, s -> s.withReady(registry.condition(object, "False", e.reason(),
                    e.getMessage()), generation));
        } catch (RegistryConflictException | StoreException failed) {
            LOG.log(Level.WARNING, "cannot say on thawfunction " + registry.namespace() + "/"
                    + object.getMetadata().getName() + " why it is refused: " + failed.getMessage());
        }
    }

    /** Stops handling objects; a build under way is interrupted. */
    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
