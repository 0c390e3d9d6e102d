package dev.thaw.sandbox.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.FunctionManifest;
import dev.thaw.api.FunctionManifests;
import dev.thaw.api.ManifestException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The function layer alone (no base root file system needed, so every test gets a fresh home). */
class FunctionLayerBuilderTest {

    private static Path writeFunction(Path dir, String body) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("thaw.yaml"),
                "name: t1\nruntime: python3\nhandler: main:handle\ntimeout_ms: 5000\nenv:\n  B: two\n  A: '1'\n");
        Files.writeString(dir.resolve("main.py"), body);
        Files.createDirectories(dir.resolve("lib/__pycache__"));
        Files.writeString(dir.resolve("lib/helper.py"), "X = 1\n");
        Files.writeString(dir.resolve("lib/__pycache__/helper.cpython-311.pyc"), "junk");
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/config"), "junk");
        Files.writeString(dir.resolve(".env"), "SECRET=1");
        return dir;
    }

    private static FunctionLayerBuilder.Layer build(ThawHome home, Path functionDir) throws IOException, ManifestException {
        FunctionManifest manifest = FunctionManifests.read(functionDir);
        return new FunctionLayerBuilder().ensure(home, manifest, functionDir);
    }

    @Test
    void layerHoldsAgentConfigAndFunctionFiles(@TempDir Path dir) throws Exception {
        Path fn = writeFunction(dir.resolve("fn"), "def handle(event):\n    return event\n");
        Files.createDirectories(fn.resolve("empty/inner"));
        Path script = Files.writeString(Files.createDirectories(fn.resolve("bin")).resolve("run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        ThawHome home = new ThawHome(dir.resolve("home"));

        long started = System.nanoTime();
        FunctionLayerBuilder.Layer layer = build(home, fn);
        System.out.println("TIMING layer build (fresh): " + TestHomes.millisSince(started) + " ms");

        assertThat(layer.image()).isEqualTo(home.images().resolve("t1").resolve(layer.key()).resolve("layer.ext4"));
        assertThat(layer.digest()).isEqualTo(Hashing.sha256Hex(layer.image()));
        assertThat(Files.size(layer.image())).isEqualTo(4L << 20);
        assertThat(TestHomes.debugfs(layer.image(), "cat /opt/thaw/function.json"))
                .isEqualTo("{\"handler\":\"main:handle\",\"env\":{\"A\":\"1\",\"B\":\"two\"},\"timeout_ms\":5000}");
        assertThat(TestHomes.debugfs(layer.image(), "cat /opt/thaw/function/main.py"))
                .isEqualTo("def handle(event):\n    return event\n");
        assertThat(TestHomes.debugfs(layer.image(), "cat /opt/thaw/function/lib/helper.py")).isEqualTo("X = 1\n");
        assertThat(TestHomes.debugfs(layer.image(), "cat /opt/thaw/agent.py").getBytes(StandardCharsets.UTF_8))
                .isEqualTo(GuestResources.read(GuestResources.AGENT));
        String listing = TestHomes.debugfs(layer.image(), "ls -p /opt/thaw/function")
                + TestHomes.debugfs(layer.image(), "ls -p /opt/thaw/function/lib");
        assertThat(listing).contains("/main.py/", "/lib/", "/helper.py/", "/bin/")
                .doesNotContain(".git", ".env", "__pycache__", "empty", "thaw.yaml");
        assertThat(TestHomes.debugfs(layer.image(), "stat /opt/thaw/function/bin/run.sh")).contains("Mode:  0755");
        assertThat(TestHomes.debugfs(layer.image(), "stat /opt/thaw/function/bin")).contains("Mode:  0755")
                .contains("User:     0   Group:     0");
        assertThat(TestHomes.debugfs(layer.image(), "stat /opt/thaw/function/main.py"))
                .contains("Mode:  0644").contains("mtime: 0x386d4380");
        assertThat(TestHomes.debugfs(layer.image(), "stat /opt/thaw/agent.py")).contains("ctime: 0x386d4380");
        assertThat(TestHomes.debugfs(layer.image(), "stats")).contains("Filesystem volume name:   thaw-fn")
                .doesNotContain("has_journal");
    }

    @Test
    void sameInputsGiveTheSameDigestEvenWhenRebuiltElsewhere(@TempDir Path dir) throws Exception {
        Path first = writeFunction(dir.resolve("a"), "def handle(e):\n    return 1\n");
        FunctionLayerBuilder.Layer one = build(new ThawHome(dir.resolve("home1")), first);

        Thread.sleep(1_100); // a different second for every ctime the source files would carry
        Path second = writeFunction(dir.resolve("b/c"), "def handle(e):\n    return 1\n");
        Files.setLastModifiedTime(second.resolve("main.py"), FileTime.from(Instant.parse("2020-05-05T00:00:00Z")));
        FunctionLayerBuilder.Layer two = build(new ThawHome(dir.resolve("home2")), second);

        assertThat(two.key()).isEqualTo(one.key());
        assertThat(two.digest()).isEqualTo(one.digest());
        assertThat(Files.mismatch(one.image(), two.image())).isEqualTo(-1L);
    }

    @Test
    void unchangedInputsReuseTheLayerAndChangedOnesDoNot(@TempDir Path dir) throws Exception {
        Path fn = writeFunction(dir.resolve("fn"), "def handle(e):\n    return 1\n");
        ThawHome home = new ThawHome(dir.resolve("home"));
        FunctionLayerBuilder.Layer one = build(home, fn);
        FileTime builtAt = Files.getLastModifiedTime(one.image());

        long started = System.nanoTime();
        FunctionLayerBuilder.Layer again = build(home, fn);
        System.out.println("TIMING layer build (cached): " + TestHomes.millisSince(started) + " ms");
        assertThat(again).isEqualTo(one);
        assertThat(Files.getLastModifiedTime(again.image())).isEqualTo(builtAt);

        Files.writeString(fn.resolve("main.py"), "def handle(e):\n    return 2\n");
        FunctionLayerBuilder.Layer changed = build(home, fn);
        assertThat(changed.key()).isNotEqualTo(one.key());
        assertThat(changed.digest()).isNotEqualTo(one.digest());

        // Ignored files do not change the key.
        Files.writeString(fn.resolve(".env"), "SECRET=2");
        assertThat(build(home, fn)).isEqualTo(changed);
        try (var leftovers = Files.list(home.tmp())) {
            assertThat(leftovers).isEmpty();
        }
    }

    @Test
    void functionJsonHasTheAgentsFields() throws Exception {
        FunctionManifest manifest = FunctionManifests.parse("name: hello\nruntime: python3\nhandler: pkg.mod:run\n", Path.of("x"));
        assertThat(new String(FunctionLayerBuilder.functionJson(manifest), StandardCharsets.UTF_8))
                .isEqualTo("{\"handler\":\"pkg.mod:run\",\"env\":{},\"timeout_ms\":30000}");
    }

    @Test
    void functionsThatDifferOnlyInNameGetTheSameLayer(@TempDir Path dir) throws Exception {
        ThawHome home = new ThawHome(dir.resolve("home"));
        Path a = writeFunction(dir.resolve("a"), "def handle(e):\n    return 1\n");
        Path b = writeFunction(dir.resolve("b"), "def handle(e):\n    return 1\n");
        Files.writeString(b.resolve("thaw.yaml"), Files.readString(b.resolve("thaw.yaml")).replace("name: t1", "name: t2"));

        FunctionLayerBuilder.Layer first = build(home, a);
        FunctionLayerBuilder.Layer second = build(home, b);
        assertThat(second.image()).isNotEqualTo(first.image());
        assertThat(second.key()).isEqualTo(first.key());
        assertThat(second.digest()).isEqualTo(first.digest());
    }

    @Test
    void namesThatDebugfsCannotTakeAreRejected(@TempDir Path dir) throws Exception {
        Path fn = writeFunction(dir.resolve("fn"), "def handle(e):\n    return 1\n");
        Files.writeString(fn.resolve("a\"b.txt"), "x");
        assertThatThrownBy(() -> build(new ThawHome(dir.resolve("home")), fn))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("a\"b.txt");
    }
}
