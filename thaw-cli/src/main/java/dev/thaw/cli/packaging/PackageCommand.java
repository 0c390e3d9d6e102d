package dev.thaw.cli.packaging;

import dev.thaw.sandbox.image.ThawHome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code thaw package}: Thaw's container images and the manifests that use them. */
@Command(name = "package", description = "Container images of Thaw and the Kubernetes manifests that run them.",
        mixinStandardHelpOptions = true, subcommands = {PackageCommand.Image.class, PackageCommand.Manifests.class})
public final class PackageCommand {

    /** Which images to build. */
    enum Target { node, control, all }

    @Command(name = "image", mixinStandardHelpOptions = true,
            description = {"Builds Thaw's OCI images without a container engine: 'node' (Debian with QEMU and the"
                    + " tools that build guest images, a Java runtime, Thaw) and 'control' (the C library, a Java"
                    + " runtime and Thaw, for the gateway and the scheduler extender). The Debian root"
                    + " (debootstrap) and the Java runtime (jlink of the JDK this runs on) are built once and"
                    + " cached in the Thaw home; the same inputs give the same image digests.",
                    "Registry credentials come from $" + Registry.USERNAME_ENV + " and $" + Registry.PASSWORD_ENV
                            + " (or skopeo's own auth files when unset)."})
    static final class Image implements Callable<Integer> {
        // The root command ('thaw') carries the version the images are tagged with.
        @Spec
        CommandSpec spec;

        @Option(names = "--target", defaultValue = "all", description = "node, control or all (default: ${DEFAULT-VALUE})")
        Target target;

        @Option(names = "--output", defaultValue = "thaw-images", paramLabel = "DIR",
                description = "OCI image layout directory to write, reference names 'node' and 'control'"
                        + " (default: ${DEFAULT-VALUE})")
        Path output;

        @Option(names = "--docker-archive", paramLabel = "DIR",
                description = "also write docker-load-able tarballs DIR/thaw-node.tar and DIR/thaw-control.tar")
        Path dockerArchive;

        @Option(names = "--push", paramLabel = "REGISTRY/NAME:TAG",
                description = "push the images as REGISTRY/NAME-node:TAG and REGISTRY/NAME-control:TAG")
        String push;

        @Option(names = "--replace-tag", description = "let --push move a tag that points to another image")
        boolean replaceTag;

        @Option(names = "--insecure-registry", description = "allow plain HTTP or unverified TLS to the registry"
                + " (always allowed for registries on loopback)")
        boolean insecure;

        @Option(names = "--overlay", paramLabel = "DIR", description = "with --push: write a kustomize overlay"
                + " DIR/kustomization.yaml that runs the pushed images by digest, and check it builds")
        Path overlay;

        @Option(names = "--deploy-base", defaultValue = "deploy/base", paramLabel = "DIR",
                description = "the base manifests the overlay refers to (default: ${DEFAULT-VALUE})")
        Path deployBase;

        @Option(names = "--jdk", paramLabel = "DIR", description = "JDK 25 whose jlink makes the images' Java runtime"
                + " (default: the one running this command)")
        Path jdk;

        @Override
        public Integer call() throws Exception {
            PrintStream out = System.out;
            if (overlay != null && push == null) {
                throw new IllegalArgumentException("--overlay needs --push: the overlay points at pushed images");
            }
            ImageReference pushTo = push == null ? null : ImageReference.parse(push);
            Registry registry = pushTo == null ? null
                    : new Registry(Registry.Credentials.fromEnvironment(System.getenv()), insecure);
            Path jdkHome = jdk != null ? jdk : JavaRuntimes.currentJdk().orElseThrow(() -> new IOException(
                    "this Java (" + System.getProperty("java.home") + ") has no jlink; pass --jdk with a JDK 25"));
            String version = spec.root().version()[0].replaceFirst("^thaw ", "");
            List<ImageKind> kinds = switch (target) {
                case node -> List.of(ImageKind.NODE);
                case control -> List.of(ImageKind.CONTROL);
                case all -> List.of(ImageKind.NODE, ImageKind.CONTROL);
            };

            if (pushTo != null) {
                // Fail before the build, not after it, when the registry is unreachable or refuses the credentials.
                for (ImageKind kind : kinds) {
                    registry.digestOf(pushTo.withNameSuffix("-" + kind.id()));
                }
            }
            long started = System.nanoTime();
            ImagePackager packager = new ImagePackager(ThawHome.fromEnvironment(), jdkHome,
                    ThawJars.running(PackageCommand.class), version);
            Map<ImageKind, OciLayout.Image> images = packager.build(output, kinds);
            long built = System.nanoTime();
            for (OciLayout.Image image : images.values()) {
                print(out, image);
            }
            out.printf("layout    %s (oci:%s:<node|control>)%n", output.toAbsolutePath().normalize(), output);
            out.printf("built in  %.1f s%n", (built - started) / 1e9);

            if (dockerArchive != null) {
                java.nio.file.Files.createDirectories(dockerArchive);
                for (Map.Entry<ImageKind, OciLayout.Image> e : images.entrySet()) {
                    Path tar = dockerArchive.resolve(e.getKey().imageName() + ".tar");
                    Registry.dockerArchive(output, e.getKey().id(), tar, e.getKey().imageName() + ":" + version);
                    out.printf("tarball   %s (docker load -i %s)%n", tar, tar);
                }
            }
            if (pushTo != null) {
                long pushStarted = System.nanoTime();
                Map<ImageKind, ImageReference> pushed = new EnumMap<>(ImageKind.class);
                Map<ImageKind, String> digests = new EnumMap<>(ImageKind.class);
                for (Map.Entry<ImageKind, OciLayout.Image> e : images.entrySet()) {
                    ImageReference ref = pushTo.withNameSuffix("-" + e.getKey().id());
                    String digest = e.getValue().manifest().digest();
                    boolean sent = registry.push(output, e.getKey().id(), digest, ref, replaceTag);
                    out.printf("pushed    %s@%s%s%n", ref, digest, sent ? "" : " (the tag already pointed to it)");
                    pushed.put(e.getKey(), ref);
                    digests.put(e.getKey(), digest);
                }
                out.printf("pushed in %.1f s (build and push %.1f s)%n", (System.nanoTime() - pushStarted) / 1e9,
                        (System.nanoTime() - started) / 1e9);
                if (overlay != null) {
                    Path file = KustomizeOverlay.write(overlay, deployBase, pushed, digests);
                    List<String> problems = ManifestCheck.problems(overlay);
                    if (!problems.isEmpty()) {
                        throw new IOException("the overlay " + file + " does not build into manifests fit to apply:\n  "
                                + String.join("\n  ", problems));
                    }
                    out.printf("overlay   %s (kubectl apply -k %s)%n", file, overlay);
                }
            }
            return 0;
        }

        private static void print(PrintStream out, OciLayout.Image image) {
            out.printf("image     %s  %s  %.1f MiB unpacked, %.1f MiB compressed%n", image.refName(),
                    image.manifest().digest(), image.uncompressedBytes() / 1048576.0, image.compressedBytes() / 1048576.0);
            for (OciLayout.Layer layer : image.layers()) {
                out.printf("  layer   %8.1f MiB  %s%n", layer.tarSize() / 1048576.0, layer.description());
            }
        }
    }

    @Command(name = "manifests", mixinStandardHelpOptions = true,
            description = "Builds a kustomization (kubectl kustomize DIR) and checks it before a cluster sees it:"
                    + " every object parses into its Kubernetes model class with no unknown field, and every"
                    + " container names a pushed image, not a placeholder.")
    static final class Manifests implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "directory with a kustomization.yaml")
        Path dir;

        @Override
        public Integer call() throws Exception {
            List<String> problems = new ArrayList<>(ManifestCheck.problems(dir));
            if (!problems.isEmpty()) {
                System.err.println("thaw: " + dir + " is not fit to apply:\n  " + String.join("\n  ", problems));
                return 1;
            }
            System.out.printf("%s builds, %d objects, all known fields, images set%n", dir, ManifestCheck.build(dir).size());
            return 0;
        }
    }
}
