package dev.thaw.control.deploy;

import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.functions.Archives;
import dev.thaw.api.ExampleRequest;
import dev.thaw.api.FunctionId;
import dev.thaw.api.MachineShape;
import dev.thaw.control.access.QuotaExceededException;
import dev.thaw.api.FunctionManifests;
import dev.thaw.api.ManifestException;
import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.control.registry.DurableRegistry;
import dev.thaw.control.registry.RegistryConflictException;
import dev.thaw.control.registry.StoredFunction;
import dev.thaw.control.routing.Routers;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.image.BootSpecs;
import dev.thaw.sandbox.image.FunctionImage;
import dev.thaw.sandbox.image.FunctionImageBuilder;
import dev.thaw.sandbox.image.GuestKernel;
import dev.thaw.sandbox.image.GuestKernels;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Deploys functions: builds the image on the gateway host, derives the revision,
 * publishes image layers and the code archive to the store, writes the durable registry,
 * hands the {@link DeploymentSpec} to every live node (and to nodes that join later), and
 * switches the function's router. Image builds run outside any lock, so a slow build
 * (a base image's debootstrap) delays no other deploy; what follows is serialized per
 * function, so two deploys of one function settle on one revision, never a mix.
 */
public final class Deployer implements Membership.Listener {
    private static final Logger LOG = System.getLogger(Deployer.class.getName());
    private static final Duration NODE_CALL = Duration.ofSeconds(30);

    /** The deployed function, and whether this deploy created a new revision. */
    public record Outcome(DeployedFunction function, boolean created) {
    }

    /** The store refused or lost the race for the registry write; answered 409 (conflict) or 503. */
    public static final class RegistryWriteException extends IOException {
        private final boolean conflict;

        RegistryWriteException(String message, boolean conflict, Throwable cause) {
            super(message, cause);
            this.conflict = conflict;
        }

        public boolean conflict() {
            return conflict;
        }
    }

    /** Refuses a deploy that would take its namespace past a quota; checked under the namespace's lock. */
    @FunctionalInterface
    public interface QuotaGate {
        QuotaGate NONE = (function, shape, settings) -> { };

        /**
         * @param function the function's key
         * @throws QuotaExceededException naming the quota
         */
        void admit(FunctionId function, MachineShape shape, FunctionSettings settings) throws QuotaExceededException;
    }

    private final ThawHome home;
    private final FunctionRegistry registry;
    private final DurableRegistry durable;
    private final Membership membership;
    private final Routers routers;
    private final Optional<SnapshotStore> store;
    private final FunctionImageBuilder builder = new FunctionImageBuilder();
    private final FunctionLocks locks = new FunctionLocks();
    private final QuotaGate quotas;
    private GuestKernel kernel;

    public Deployer(ThawHome home, FunctionRegistry registry, DurableRegistry durable, Membership membership,
            Routers routers, Optional<SnapshotStore> store) {
        this(home, registry, durable, membership, routers, store, QuotaGate.NONE);
    }

    public Deployer(ThawHome home, FunctionRegistry registry, DurableRegistry durable, Membership membership,
            Routers routers, Optional<SnapshotStore> store, QuotaGate quotas) {
        this.quotas = quotas;
        this.home = home;
        this.registry = registry;
        this.durable = durable;
        this.membership = membership;
        this.routers = routers;
        this.store = store;
    }

    /** Builds and deploys the function in {@code dir} (on the gateway host) into {@code namespace}. */
    public Outcome deploy(Path dir, String namespace, FunctionSettings settings)
            throws IOException, ManifestException, InterruptedException, QuotaExceededException {
        if (!dir.isAbsolute() || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("'" + dir + "' is not an absolute path to a function directory on the"
                    + " gateway host; upload a .tar.gz instead when deploying from another machine");
        }
        return deploy(dir, namespace, null, settings);
    }

    /** Extracts an uploaded {@code .tar.gz} into a scratch directory, then deploys it like a directory. */
    public Outcome deployArchive(byte[] archive, String namespace, FunctionSettings settings, long maxExtractedBytes)
            throws IOException, ManifestException, InterruptedException, QuotaExceededException {
        Path scratch = home.newTempDir("upload");
        try {
            Path function = scratch.resolve("function");
            Archives.extractTarGz(archive, function, maxExtractedBytes);
            try {
                return deploy(function, namespace, archive, settings);
            } catch (ManifestException e) {
                // Name the file as the uploader knows it, not where the gateway extracted it.
                Path manifest = e.manifest() != null && e.manifest().startsWith(function)
                        ? function.relativize(e.manifest()) : e.manifest();
                throw new ManifestException(manifest, e.detail(), e);
            }
        } finally {
            FileTrees.deleteQuietly(scratch);
        }
    }

    // Everything up to the registry write is content-addressed (image layers, the archive), so
    // concurrent deploys may do it at once; only the switch of the function takes its lock.
    private Outcome deploy(Path dir, String namespace, byte[] archive, FunctionSettings settings)
            throws IOException, ManifestException, InterruptedException, QuotaExceededException {
        FunctionId.requireNamespace(namespace);
        requireAvailable(); // before minutes of building, not after
        var manifest = FunctionManifests.read(dir);
        // Checked again under the namespace's lock when the registry is written; this early answer
        // spares a deploy that cannot fit its minutes of building.
        quotas.admit(new FunctionId(namespace, manifest.name()), manifest.shape(), settings);
        FunctionImage image = builder.build(home, dir);
        GuestKernel k = kernel();
        String revision = BootSpecs.revision(image, k);
        List<Path> layers = List.of(image.base().image(), image.layer());
        List<String> digests = List.of(image.base().digest(), image.layerDigest());
        String key = new FunctionId(namespace, image.manifest().name()).key();
        DeploymentSpec spec = new DeploymentSpec(key, revision, image.manifest().shape(),
                BootSpecs.INIT_TIMEOUT.toMillis(), image.manifest().timeout().toMillis(), k.digest(), digests,
                layers.stream().map(Path::toString).toList());
        Optional<DeployedFunction> existing = registry.find(spec.function());
        if (existing.isEmpty() || !existing.get().revision().equals(revision)) {
            publish(digests, layers);
        }
        Optional<ExampleRequest> example = FunctionManifests.exampleRequest(dir);
        String archiveDigest = keepArchive(archive != null ? archive : tarGzOrNull(dir), spec.function());
        return deploy(spec, image.digest(), archiveDigest, settings, example.orElse(null));
    }

    /**
     * Deploys an already built revision without a code archive; see
     * {@link #deploy(DeploymentSpec, String, String, FunctionSettings)}.
     */
    public Outcome deploy(DeploymentSpec spec, String imageDigest, FunctionSettings settings)
            throws IOException, InterruptedException, QuotaExceededException {
        return deploy(spec, imageDigest, null, settings);
    }

    /**
     * Deploys an already built revision: same revision again only updates settings;
     * a new one is written to the registry, goes to every live node, and the router
     * drains the old one. The registry is written before nodes are told, so a node that
     * joins meanwhile is sent the new revision by {@link #joined}, if not by this call.
     */
    public Outcome deploy(DeploymentSpec spec, String imageDigest, String archiveDigest, FunctionSettings settings)
            throws IOException, InterruptedException, QuotaExceededException {
        return deploy(spec, imageDigest, archiveDigest, settings, null);
    }

    /**
     * As {@link #deploy(DeploymentSpec, String, String, FunctionSettings)}, with the manifest's
     * sample request ({@code null} for none), which the registry keeps with the revision.
     */
    public Outcome deploy(DeploymentSpec spec, String imageDigest, String archiveDigest, FunctionSettings settings,
            ExampleRequest example) throws IOException, InterruptedException, QuotaExceededException {
        requireAvailable();
        String name = spec.function();
        FunctionId id = FunctionId.ofKey(name);
        try (FunctionLocks.Held held = locks.lock(name)) {
            Optional<DeployedFunction> existing = registry.find(name);
            if (existing.isPresent() && existing.get().revision().equals(spec.revision())) {
                DeployedFunction updated = existing.get().withSettings(settings).withExampleRequest(example);
                writeWithinQuota(id, updated, archiveDigest);
                routers.deploy(spec, settings);
                return new Outcome(updated, false);
            }
            DeployedFunction function = new DeployedFunction(name, spec.revision(), settings, spec, imageDigest,
                    Instant.now(), example);
            writeWithinQuota(id, function, archiveDigest);
            for (Member member : membership.alive()) {
                push(member, spec);
            }
            routers.deploy(spec, settings);
            return new Outcome(function, true);
        }
    }

    /**
     * Checks the namespace's quota and writes the registry under the namespace's lock, so two deploys
     * in one namespace cannot both take its last slot. Keys never start with '/', so the lock's name
     * is no function's.
     */
    private void writeWithinQuota(FunctionId id, DeployedFunction function, String archiveDigest)
            throws RegistryWriteException, QuotaExceededException, InterruptedException {
        try (FunctionLocks.Held namespace = locks.lock("/" + id.namespace())) {
            quotas.admit(id, function.spec().shape(), function.settings());
            registry.put(write(function, archiveDigest, function.name()));
        }
    }

    private StoredFunction write(DeployedFunction function, String archiveDigest, String name)
            throws RegistryWriteException {
        try {
            return durable.write(function, archiveDigest, registry.generation(name));
        } catch (RegistryConflictException e) {
            throw new RegistryWriteException(e.getMessage(), true, e);
        } catch (StoreException e) {
            throw new RegistryWriteException("cannot write " + name + " to the function registry in "
                    + durable.describe() + ": " + e.getMessage() + "; nothing changed, retry when the store is back",
                    false, e);
        }
    }

    private void requireAvailable() throws RegistryWriteException {
        Optional<String> unavailable = registry.unavailable();
        if (unavailable.isPresent()) {
            throw new RegistryWriteException(unavailable.get(), false, null);
        }
    }

    /**
     * Deletes a function: new invocations get 404 at once, its instances stop, every
     * node forgets it and evicts its snapshots, and the store drops them.
     *
     * @return false when no such function is deployed
     */
    public boolean delete(String name) throws IOException, InterruptedException {
        requireAvailable();
        try (FunctionLocks.Held held = locks.lock(name)) {
            if (registry.find(name).isEmpty() && registry.problem(name).isEmpty()) {
                return false;
            }
            long generation;
            try {
                generation = durable.delete(name, registry.generation(name));
            } catch (RegistryConflictException e) {
                throw new RegistryWriteException(e.getMessage(), true, e);
            } catch (StoreException e) {
                throw new RegistryWriteException("cannot delete " + name + " from the function registry in "
                        + durable.describe() + ": " + e.getMessage() + "; nothing changed, retry", false, e);
            }
            registry.remove(name, generation);
            routers.delete(name);
            forget(name);
        }
        return true;
    }

    private void forget(String name) throws InterruptedException {
        for (Member member : membership.alive()) {
            try {
                member.json("DELETE", "v1/functions/" + name, null, null, NODE_CALL);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "node " + member.name() + " did not delete " + name + ": " + e.getMessage());
            }
            member.forgetFunction(name);
        }
        if (store.isPresent()) {
            try {
                store.get().deleteFunction(name);
            } catch (StoreException e) {
                LOG.log(Level.WARNING, "cannot delete the snapshots of " + name + " from the store: " + e.getMessage());
            }
        }
    }

    /** A node that joins gets every current deployment, off the registering request's thread. */
    @Override
    public void joined(Member member) {
        Thread.ofVirtual().name("deploy-to-" + member.name()).start(() -> {
            for (DeployedFunction function : registry.all()) {
                try {
                    push(member, function.spec());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void push(Member member, DeploymentSpec spec) throws InterruptedException {
        try {
            member.json("PUT", "v1/deployments/" + spec.function() + "/" + spec.revision(), spec, null, NODE_CALL);
            member.markDeployed(spec.function(), spec.revision());
        } catch (IOException e) {
            // That node will not be offered this revision; the others still can run it.
            LOG.log(Level.WARNING, "node " + member.name() + " refused " + spec.function() + "/" + spec.revision()
                    + ": " + e.getMessage());
        }
    }

    private void publish(List<String> digests, List<Path> layers) throws IOException {
        if (store.isEmpty()) {
            return;
        }
        for (int i = 0; i < digests.size(); i++) {
            try {
                store.get().publishImage(digests.get(i), layers.get(i), "gateway");
            } catch (StoreException e) {
                throw new IOException("cannot publish image layer " + digests.get(i) + " to the store: "
                        + e.getMessage() + "; check the S3 settings and that the store is reachable", e);
            }
        }
    }

    private String keepArchive(byte[] archive, String function) throws IOException {
        if (archive == null) {
            return null;
        }
        try {
            return durable.putArchive(archive);
        } catch (StoreException e) {
            throw new IOException("cannot keep the code archive of " + function + " in " + durable.describe() + ": "
                    + e.getMessage() + "; check that the store is reachable", e);
        }
    }

    // A directory with names tar's ustar header cannot hold still deploys; it only lacks an archive.
    private static byte[] tarGzOrNull(Path dir) {
        try {
            return Archives.tarGz(dir);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "the code of " + dir + " is not kept in the registry: " + e.getMessage());
            return null;
        }
    }

    private synchronized GuestKernel kernel() throws IOException {
        if (kernel == null) {
            kernel = new GuestKernels().ensure(home);
        }
        return kernel;
    }
}
