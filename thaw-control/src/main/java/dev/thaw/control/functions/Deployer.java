package dev.thaw.control.functions;

import dev.thaw.api.ExampleRequest;
import dev.thaw.api.FunctionManifests;
import dev.thaw.api.ManifestException;
import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.control.routing.Routers;
import dev.thaw.node.api.DeploymentSpec;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.image.BootSpecs;
import dev.thaw.sandbox.image.FunctionImage;
import dev.thaw.sandbox.image.FunctionImageBuilder;
import dev.thaw.sandbox.image.GuestKernel;
import dev.thaw.sandbox.image.GuestKernels;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Deploys functions: builds the image on the gateway host, derives the revision,
 * publishes image layers to the store, hands the {@link DeploymentSpec} to every
 * live node (and to nodes that join later), and switches the function's router.
 * Deploys and deletes are serialized: they are rare and each is seconds of work.
 */
public final class Deployer implements Membership.Listener {
    private static final Logger LOG = System.getLogger(Deployer.class.getName());
    private static final Duration NODE_CALL = Duration.ofSeconds(30);

    /** The deployed function, and whether this deploy created a new revision. */
    public record Outcome(DeployedFunction function, boolean created) {
    }

    private final ThawHome home;
    private final FunctionRegistry registry;
    private final Membership membership;
    private final Routers routers;
    private final Optional<SnapshotStore> store;
    private final FunctionImageBuilder builder = new FunctionImageBuilder();
    private GuestKernel kernel;

    public Deployer(ThawHome home, FunctionRegistry registry, Membership membership, Routers routers,
            Optional<SnapshotStore> store) {
        this.home = home;
        this.registry = registry;
        this.membership = membership;
        this.routers = routers;
        this.store = store;
    }

    /** Builds and deploys the function in {@code dir} (on the gateway host). */
    public synchronized Outcome deploy(Path dir, FunctionSettings settings)
            throws IOException, ManifestException, InterruptedException {
        if (!dir.isAbsolute() || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("'" + dir + "' is not an absolute path to a function directory on the"
                    + " gateway host; upload a .tar.gz instead when deploying from another machine");
        }
        FunctionImage image = builder.build(home, dir);
        GuestKernel k = kernel();
        String revision = BootSpecs.revision(image, k);
        List<Path> layers = List.of(image.base().image(), image.layer());
        List<String> digests = List.of(image.base().digest(), image.layerDigest());
        DeploymentSpec spec = new DeploymentSpec(image.manifest().name(), revision, image.manifest().shape(),
                BootSpecs.INIT_TIMEOUT.toMillis(), image.manifest().timeout().toMillis(), k.digest(), digests,
                layers.stream().map(Path::toString).toList());
        Optional<DeployedFunction> existing = registry.find(spec.function());
        if (existing.isEmpty() || !existing.get().revision().equals(revision)) {
            publish(digests, layers);
        }
        Optional<ExampleRequest> example = FunctionManifests.exampleRequest(dir);
        return deploy(spec, image.digest(), settings, example.orElse(null));
    }

    /** Extracts an uploaded {@code .tar.gz} into a scratch directory, then deploys it like a directory. */
    public Outcome deployArchive(byte[] archive, FunctionSettings settings, long maxExtractedBytes)
            throws IOException, ManifestException, InterruptedException {
        Path scratch = home.newTempDir("upload");
        try {
            Archives.extractTarGz(archive, scratch, maxExtractedBytes);
            return deploy(scratch, settings);
        } finally {
            FileTrees.deleteQuietly(scratch);
        }
    }

    /**
     * Deploys an already built revision: same revision again only updates settings;
     * a new one goes to every live node, and the router drains the old one.
     */
    public synchronized Outcome deploy(DeploymentSpec spec, String imageDigest, FunctionSettings settings)
            throws InterruptedException {
        return deploy(spec, imageDigest, settings, null);
    }

    /** As {@link #deploy(DeploymentSpec, String, FunctionSettings)}, with the manifest's sample request. */
    public synchronized Outcome deploy(DeploymentSpec spec, String imageDigest, FunctionSettings settings,
            ExampleRequest example) throws InterruptedException {
        Optional<DeployedFunction> existing = registry.find(spec.function());
        if (existing.isPresent() && existing.get().revision().equals(spec.revision())) {
            DeployedFunction updated = existing.get().withSettings(settings).withExampleRequest(example);
            registry.put(updated);
            routers.deploy(spec, settings);
            return new Outcome(updated, false);
        }
        for (Member member : membership.alive()) {
            push(member, spec);
        }
        DeployedFunction function = new DeployedFunction(spec.function(), spec.revision(), settings, spec,
                imageDigest, Instant.now(), example);
        registry.put(function);
        routers.deploy(spec, settings);
        return new Outcome(function, true);
    }

    /**
     * Deletes a function: new invocations get 404 at once, its instances stop, every
     * node forgets it and evicts its snapshots, and the store drops them.
     *
     * @return false when no such function is deployed
     */
    public synchronized boolean delete(String name) throws InterruptedException {
        if (registry.remove(name).isEmpty()) {
            return false;
        }
        routers.delete(name);
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
        return true;
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

    private GuestKernel kernel() throws IOException {
        if (kernel == null) {
            kernel = new GuestKernels().ensure(home);
        }
        return kernel;
    }
}
