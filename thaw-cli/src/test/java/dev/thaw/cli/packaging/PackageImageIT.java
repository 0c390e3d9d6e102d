package dev.thaw.cli.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.sandbox.ExternalCommand;
import dev.thaw.sandbox.image.ThawHome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds both images from the packaged distribution (target/thaw-cli.jar and target/lib), twice
 * for reproducibility, pushes them to a docker-registry on loopback, pulls them back by digest
 * and runs Thaw from the unpacked roots in a chroot. The Debian root and the Java runtime are
 * cached in the test Thaw home, so only the first run pays for debootstrap and jlink.
 */
class PackageImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);
    private static final String USER = "thaw";
    private static final String PASSWORD = UUID.randomUUID().toString();

    @TempDir
    static Path work;
    private static Map<ImageKind, OciLayout.Image> images;
    private static Path layout;
    private static TestRegistry registry;

    @BeforeAll
    static void buildAndStartRegistry() throws Exception {
        assumeTrue(TestRegistry.available(), "docker-registry is not installed");
        assumeTrue(ExternalCommand.onPath("skopeo"), "skopeo is not installed");
        assumeTrue(ExternalCommand.onPath("debootstrap"), "debootstrap is not installed");
        Path jdk = JavaRuntimes.currentJdk().orElseThrow();
        ImagePackager packager = new ImagePackager(testHome(), jdk,
                ThawJars.of(Path.of("target/thaw-cli.jar"), Path.of("target/lib")), "0.1.0");
        long started = System.nanoTime();
        layout = work.resolve("layout");
        images = packager.build(layout, List.of(ImageKind.NODE, ImageKind.CONTROL));
        System.out.printf("built both images in %.1f s%n", (System.nanoTime() - started) / 1e9);
        images.values().forEach(i -> System.out.printf("%s %s %d bytes unpacked, %d compressed%n", i.refName(),
                i.manifest().digest(), i.uncompressedBytes(), i.compressedBytes()));
        registry = TestRegistry.start(work.resolve("registry"), USER, PASSWORD);
    }

    @AfterAll
    static void stopRegistry() throws InterruptedException {
        if (registry != null) {
            long pid = registry.pid();
            registry.close();
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        }
    }

    /** THAW_TEST_HOME when set (as ./thaw test does), else the user's Thaw home. */
    private static ThawHome testHome() {
        String env = System.getenv("THAW_TEST_HOME");
        return env != null && !env.isBlank() ? new ThawHome(Path.of(env)) : ThawHome.fromEnvironment();
    }

    @Test
    void theSameInputsGiveTheSameDigests() throws IOException {
        // The control image only: its layers go through every code path the node's do (trees, hard links,
        // generated files), and rebuilding the node image would double the test's longest step.
        Path again = work.resolve("again");
        ImagePackager packager = new ImagePackager(testHome(), JavaRuntimes.currentJdk().orElseThrow(),
                ThawJars.of(Path.of("target/thaw-cli.jar"), Path.of("target/lib")), "0.1.0");

        OciLayout.Image rebuilt = packager.build(again, List.of(ImageKind.CONTROL)).get(ImageKind.CONTROL);

        assertThat(rebuilt.manifest()).isEqualTo(images.get(ImageKind.CONTROL).manifest());
        assertThat(rebuilt.config()).isEqualTo(images.get(ImageKind.CONTROL).config());
        assertThat(rebuilt.layers()).isEqualTo(images.get(ImageKind.CONTROL).layers());
    }

    @Test
    void theControlImageHoldsOnlyTheCLibraryJavaAndThaw() {
        OciLayout.Image control = images.get(ImageKind.CONTROL);
        assertThat(control.layers()).extracting(OciLayout.Layer::description).containsExactly(
                "Debian bookworm libc6 (shared objects only), user thaw", "Java runtime (jlink)", "libraries",
                "Thaw 0.1.0");
        assertThat(control.uncompressedBytes()).isLessThanOrEqualTo(250L * 1000 * 1000);
        // The node image shares the Java and Thaw layers byte for byte.
        assertThat(images.get(ImageKind.NODE).layers().subList(1, 4)).isEqualTo(control.layers().subList(1, 4));
    }

    @Test
    void bothImagesGoToTheRegistryAndComeBackByDigestAndRunThaw() throws Exception {
        Registry client = new Registry(Optional.of(new Registry.Credentials(USER, PASSWORD)), false);
        Map<ImageKind, ImageReference> refs = new EnumMap<>(ImageKind.class);
        long started = System.nanoTime();
        for (ImageKind kind : ImageKind.values()) {
            ImageReference ref = ImageReference.parse(registry.host() + "/thaw-" + kind.id() + ":round-trip");
            assertThat(client.push(layout, kind.id(), images.get(kind).manifest().digest(), ref, false)).isTrue();
            refs.put(kind, ref);
        }
        System.out.printf("pushed both images in %.1f s%n", (System.nanoTime() - started) / 1e9);

        for (ImageKind kind : ImageKind.values()) {
            OciLayout.Image image = images.get(kind);
            ImageReference ref = refs.get(kind);
            String byDigest = "docker://" + ref.repository() + "@" + image.manifest().digest();
            // Pushing the same image again changes nothing.
            assertThat(client.push(layout, kind.id(), image.manifest().digest(), ref, false)).isFalse();
            assertThat(client.digestOf(ref)).contains(image.manifest().digest());

            JsonNode inspected = JSON.readTree(skopeo("inspect", "--no-tags", byDigest));
            List<String> layers = new ArrayList<>();
            inspected.path("Layers").forEach(l -> layers.add(l.asText()));
            assertThat(layers).isEqualTo(image.layers().stream().map(l -> l.blob().digest()).toList());
            JsonNode config = JSON.readTree(skopeo("inspect", "--config", byDigest)).path("config");
            List<String> entrypoint = new ArrayList<>();
            config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
            assertThat(entrypoint).isEqualTo(ImageAssembler.ENTRYPOINT);
            assertThat(config.path("User").asText()).isEqualTo(kind.user());

            Path pulled = work.resolve("pulled-" + kind.id());
            skopeo("copy", byDigest, "oci:" + pulled + ":pulled");
            Path root = unpack(pulled, work.resolve("root-" + kind.id()));
            List<String> thawVersion = new ArrayList<>(ImageAssembler.ENTRYPOINT);
            thawVersion.add("--version");
            assertThat(inContainer(root, thawVersion).strip()).isEqualTo("thaw 0.1.0");
            if (kind == ImageKind.NODE) {
                assertThat(inContainer(root, List.of("qemu-system-x86_64", "--version"))).startsWith("QEMU emulator version");
                assertThat(inContainer(root, List.of("/usr/local/bin/thaw", "--version")).strip()).isEqualTo("thaw 0.1.0");
                for (String tool : List.of("debootstrap", "mkfs.ext4", "debugfs", "dpkg-deb", "apt-get", "busybox",
                        "umount")) {
                    assertThat(inContainer(root, List.of("sh", "-c", "command -v " + tool))).as(tool).isNotBlank();
                }
            } else {
                assertThat(root.resolve("bin/sh")).doesNotExist();
                assertThat(root.resolve("usr/bin")).doesNotExist();
            }
        }

        if (ExternalCommand.onPath("kubectl")) {
            Path overlay = work.resolve("overlay");
            Map<ImageKind, String> digests = new EnumMap<>(ImageKind.class);
            images.forEach((kind, image) -> digests.put(kind, image.manifest().digest()));
            KustomizeOverlay.write(overlay, Path.of("../deploy/base"), refs, digests);
            assertThat(ManifestCheck.problems(overlay)).isEmpty();
            assertThat(ExternalCommand.runChecked(List.of("kubectl", "kustomize", overlay.toString()), COMMAND_TIMEOUT)
                    .stdout()).contains("image: " + refs.get(ImageKind.NODE).repository() + "@"
                    + images.get(ImageKind.NODE).manifest().digest());
        }
    }

    @Test
    void wrongCredentialsAreRefusedAndNothingIsTagged() throws IOException {
        ImageReference ref = ImageReference.parse(registry.host() + "/thaw-control:wrong-credentials");
        Registry wrong = new Registry(Optional.of(new Registry.Credentials(USER, "not-" + PASSWORD)), false);

        assertThatThrownBy(() -> wrong.push(layout, "control", images.get(ImageKind.CONTROL).manifest().digest(), ref,
                false)).isInstanceOf(Registry.RegistryException.class).hasMessageContaining("refused the credentials");
        assertThat(new Registry(Optional.of(new Registry.Credentials(USER, PASSWORD)), false).digestOf(ref)).isEmpty();
    }

    @Test
    void aTagThatPointsElsewhereIsNotMoved() throws IOException {
        Registry client = new Registry(Optional.of(new Registry.Credentials(USER, PASSWORD)), false);
        ImageReference ref = ImageReference.parse(registry.host() + "/thaw-taken:1");
        String control = images.get(ImageKind.CONTROL).manifest().digest();
        String node = images.get(ImageKind.NODE).manifest().digest();
        client.push(layout, "control", control, ref, false);

        assertThatThrownBy(() -> client.push(layout, "node", node, ref, false))
                .isInstanceOf(Registry.RegistryException.class)
                .hasMessageContaining(ref + " already points to " + control).hasMessageContaining("--replace-tag");
        assertThat(client.digestOf(ref)).contains(control);
    }

    @Test
    void anUnreachableRegistryIsAClearError() throws IOException {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ImageReference ref = ImageReference.parse("127.0.0.1:" + closedPort + "/thaw-control:1");
        Registry client = new Registry(Optional.empty(), false);

        assertThatThrownBy(() -> client.push(layout, "control", images.get(ImageKind.CONTROL).manifest().digest(), ref,
                false)).isInstanceOf(Registry.RegistryException.class)
                .hasMessageContaining("registry 127.0.0.1:" + closedPort + " is not reachable; nothing was pushed");
    }

    /**
     * Runs {@code command} chrooted into {@code root} with a /proc of its own, as a container runtime
     * would provide (the loader finds Java's libraries through /proc/self/exe), in private mount and
     * PID namespaces that end with it.
     */
    private static String inContainer(Path root, List<String> command) throws IOException {
        List<String> full = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork",
                "--mount-proc=" + root.resolve("proc"), "chroot", root.toString()));
        full.addAll(command);
        return ExternalCommand.runChecked(full, COMMAND_TIMEOUT).stdout();
    }

    private String skopeo(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
        command.add(args[0]);
        command.addAll(List.of(args[0].equals("copy") ? "--src-creds" : "--creds", USER + ":" + PASSWORD,
                args[0].equals("copy") ? "--src-tls-verify=false" : "--tls-verify=false"));
        command.addAll(List.of(args).subList(1, args.length));
        return ExternalCommand.runChecked(command, COMMAND_TIMEOUT).stdout();
    }

    /** Unpacks the layers of the only image in an OCI layout into {@code root}, in order. */
    private static Path unpack(Path ociLayout, Path root) throws IOException {
        JsonNode index = JSON.readTree(ociLayout.resolve("index.json").toFile());
        JsonNode manifest = JSON.readTree(blob(ociLayout, index.path("manifests").get(0).path("digest").asText()).toFile());
        Files.createDirectories(root);
        for (JsonNode layer : manifest.path("layers")) {
            try (InputStream in = Files.newInputStream(blob(ociLayout, layer.path("digest").asText()));
                 TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in, 1 << 16))) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    Path target = root.resolve(entry.getName()).normalize();
                    if (!target.startsWith(root)) {
                        throw new IOException("layer entry " + entry.getName() + " escapes the root");
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isSymbolicLink()) {
                        Files.deleteIfExists(target);
                        Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                    } else if (entry.isLink()) {
                        Files.deleteIfExists(target);
                        Files.createLink(target, root.resolve(entry.getLinkName()));
                    } else {
                        Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    if (!entry.isSymbolicLink()) {
                        Files.setAttribute(target, "unix:mode", entry.getMode() & 07777);
                    }
                }
            }
        }
        return root;
    }

    private static Path blob(Path ociLayout, String digest) {
        return ociLayout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }
}
