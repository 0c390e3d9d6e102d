package dev.thaw.sandbox.image;

import dev.thaw.sandbox.FileTrees;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.ManifestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds real images. The base root file system (debootstrap, about 30 s) lives in the shared
 * home of {@link TestHomes#shared()} and is built at most once per checkout; needs root.
 */
class FunctionImageBuilderTest {

    private static final ThawHome HOME = TestHomes.shared();
    private static BaseRootfs base;

    @BeforeAll
    static void ensureBase() throws IOException {
        long started = System.nanoTime();
        base = new BaseRootfsBuilder().ensure(HOME, List.of());
        System.out.println("TIMING base rootfs ensure (first in this JVM): " + TestHomes.millisSince(started) + " ms");
    }

    private static Path writeFunction(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("thaw.yaml"), "name: t1\nruntime: python3\nhandler: main:handle\n");
        Files.writeString(dir.resolve("main.py"), "def handle(event):\n    return {'echo': event}\n");
        return dir;
    }

    @Test
    void baseIsAnExt4DebianWithPython() throws IOException {
        assertThat(base.key()).isEqualTo(BaseRootfsBuilder.key(List.of("libpython3-stdlib", "python3-minimal")));
        assertThat(base.packages()).containsExactly("libpython3-stdlib", "python3-minimal");
        assertThat(base.image()).isEqualTo(HOME.bases().resolve(base.key()).resolve("base.ext4"));
        assertThat(base.digest()).isEqualTo(Hashing.sha256Hex(base.image()));
        assertThat(TestHomes.debugfs(base.image(), "stats")).contains("Filesystem volume name:   thaw-base")
                .doesNotContain("has_journal");
        assertThat(TestHomes.debugfs(base.image(), "cat /etc/debian_version")).startsWith("12.");
        assertThat(TestHomes.debugfs(base.image(), "ls -p /usr/bin")).contains("/python3/");
        assertThat(TestHomes.debugfs(base.image(), "ls -p /usr/lib/python3.11")).contains("/json/");
        assertThat(Files.size(base.image()) % (1 << 20)).isZero();

        long started = System.nanoTime();
        assertThat(new BaseRootfsBuilder().ensure(HOME, List.of("python3-minimal"))).isEqualTo(base);
        System.out.println("TIMING second base ensure: " + TestHomes.millisSince(started) + " ms");
    }

    @Test
    void concurrentCallersGetTheSameBase() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Callable<BaseRootfs>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(() -> new BaseRootfsBuilder().ensure(HOME, List.of()));
            }
            for (Future<BaseRootfs> result : pool.invokeAll(calls)) {
                assertThat(result.get()).isEqualTo(base);
            }
        }
    }

    @Test
    void buildsAFunctionImage(@TempDir Path dir) throws Exception {
        Path fn = writeFunction(dir.resolve("t1"));
        FunctionImageBuilder builder = new FunctionImageBuilder();

        long started = System.nanoTime();
        FunctionImage image = builder.build(HOME, fn);
        System.out.println("TIMING FunctionImageBuilder.build (base cached): " + TestHomes.millisSince(started) + " ms");

        assertThat(image.manifest().name()).isEqualTo("t1");
        assertThat(image.sourceDir()).isEqualTo(fn.toAbsolutePath());
        assertThat(image.base()).isEqualTo(base);
        assertThat(image.disks()).containsExactly(base.image(), image.layer());
        assertThat(image.layer()).isRegularFile().startsWith(HOME.images().resolve("t1"));
        assertThat(image.layerDigest()).isEqualTo(Hashing.sha256Hex(image.layer()));
        assertThat(image.digest()).isEqualTo(Hashing.sha256Hex(base.digest() + image.layerDigest())).hasSize(64);
        assertThat(TestHomes.debugfs(image.layer(), "cat /opt/thaw/function.json"))
                .isEqualTo("{\"handler\":\"main:handle\",\"env\":{},\"timeout_ms\":30000}");
        assertThat(TestHomes.debugfs(image.layer(), "cat /opt/thaw/function/main.py"))
                .isEqualTo("def handle(event):\n    return {'echo': event}\n");

        started = System.nanoTime();
        FunctionImage again = builder.build(HOME, fn);
        System.out.println("TIMING FunctionImageBuilder.build (all cached): " + TestHomes.millisSince(started) + " ms");
        assertThat(again).isEqualTo(image);

        // Deleted and rebuilt from the same inputs: byte-identical layer, same image digest.
        FileTrees.deleteTree(image.layer().getParent());
        Thread.sleep(1_100);
        FunctionImage rebuilt = builder.build(HOME, writeFunction(dir.resolve("copy/t1")));
        assertThat(rebuilt.layerDigest()).isEqualTo(image.layerDigest());
        assertThat(rebuilt.digest()).isEqualTo(image.digest());
    }

    @Test
    void badManifestPropagatesAndWritesNothing(@TempDir Path dir) throws IOException {
        Path fn = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(fn.resolve("thaw.yaml"), "name: t1\nruntime: cobol\nhandler: main:handle\n");
        Files.writeString(fn.resolve("main.py"), "def handle(e):\n    return e\n");
        ThawHome home = new ThawHome(dir.resolve("home"));

        assertThatThrownBy(() -> new FunctionImageBuilder().build(home, fn))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("runtime");
        assertThatThrownBy(() -> new FunctionImageBuilder().build(home, dir.resolve("missing")))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("thaw.yaml");
        assertThat(home.root()).doesNotExist();
    }

    @Test
    void baseKeysAndPackageSets() {
        assertThat(BaseRootfsBuilder.packageSet(List.of("python3-pil", "python3-minimal", "curl")))
                .containsExactly("curl", "libpython3-stdlib", "python3-minimal", "python3-pil");
        assertThat(BaseRootfsBuilder.key(List.of("libpython3-stdlib", "python3-minimal")))
                .isEqualTo(Hashing.sha256Hex("bookworm|minbase|libpython3-stdlib,python3-minimal").substring(0, 16));
        assertThatThrownBy(() -> BaseRootfsBuilder.packageSet(List.of("curl,wget")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'curl,wget'");
    }

    @Test
    void sharedHomeHasNoLeftoverWorkDirectoriesOfThisProcess() throws IOException {
        String mine = "p" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> entries = Files.list(HOME.tmp())) {
            assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(mine))).isEmpty();
        }
    }
}
