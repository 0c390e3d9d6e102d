package dev.thaw.cli.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Lays out Thaw's images, four layers each, rarely changing first:
 *
 * <ol>
 *   <li>Debian: the whole minbase root with {@link ImageKind#NODE_PACKAGES} and {@code /usr/local/bin/thaw}
 *       for the node; for the
 *       control image only the C library's shared objects and loader (from the same root), a
 *       passwd/group with user {@code thaw} (65532) and a world-writable /tmp;
 *   <li>the Java runtime at {@code /opt/thaw/jre};
 *   <li>third-party jars at {@code /opt/thaw/lib};
 *   <li>Thaw's own jars at {@code /opt/thaw/lib}.
 * </ol>
 *
 * <p>The entrypoint starts Java directly (the control image has no shell); container arguments
 * are Thaw's command line, e.g. {@code ["gateway", "--listen=0.0.0.0:8080"]}.
 */
public final class ImageAssembler {
    static final String JRE = "opt/thaw/jre";
    static final String LIB = "opt/thaw/lib";
    static final List<String> ENTRYPOINT = List.of("/" + JRE + "/bin/java", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-cp", "/" + LIB + "/*", "dev.thaw.cli.Main");
    static final List<String> ENV = List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "JAVA_HOME=/" + JRE, "LANG=C.UTF-8");

    private final Path debianRoot;
    private final Path jre;
    private final ThawJars jars;
    private final String version;

    /**
     * @param debianRoot a tree from {@link DebianRoots} with {@link ImageKind#NODE_PACKAGES}
     * @param jre a runtime from {@link JavaRuntimes}
     */
    public ImageAssembler(Path debianRoot, Path jre, ThawJars jars, String version) {
        this.debianRoot = debianRoot;
        this.jre = jre;
        this.jars = jars;
        this.version = version;
    }

    /** Writes the image of {@code kind} into {@code layout} under the reference name {@link ImageKind#id()}. */
    OciLayout.Image build(ImageKind kind, OciLayout layout) throws IOException {
        List<OciLayout.Layer> layers = new ArrayList<>();
        layers.add(layout.writeLayer(kind == ImageKind.NODE ? nodeBase() : controlBase()));
        layers.add(layout.writeLayer(new LayerBuilder("Java runtime (jlink)").tree(jre, JRE, p -> true)));
        LayerBuilder libraries = new LayerBuilder("libraries");
        for (Path jar : jars.libraries()) {
            libraries.copy(jar, LIB + "/" + jar.getFileName(), 0644);
        }
        layers.add(layout.writeLayer(libraries));
        LayerBuilder thaw = new LayerBuilder("Thaw " + version);
        for (Path jar : jars.thaw()) {
            thaw.copy(jar, LIB + "/" + jar.getFileName(), 0644);
        }
        layers.add(layout.writeLayer(thaw));
        OciLayout.RunConfig run = new OciLayout.RunConfig(ENTRYPOINT, ENV, kind.user(), "/", Map.of(
                "org.opencontainers.image.title", kind.imageName(),
                "org.opencontainers.image.version", version,
                "org.opencontainers.image.description", kind == ImageKind.NODE
                        ? "Thaw node agent: QEMU microVMs started from snapshots"
                        : "Thaw gateway and scheduler extender"));
        return layout.writeImage(kind.id(), run, layers);
    }

    private LayerBuilder nodeBase() throws IOException {
        // /dev, /proc and /sys come from the container runtime. The thaw command for people who
        // exec into the container goes here, so the Java and Thaw layers stay identical to the control image's.
        return new LayerBuilder("Debian bookworm minbase with " + String.join(", ", ImageKind.NODE_PACKAGES))
                .tree(debianRoot, "", p -> !p.startsWith("dev/") && !p.startsWith("proc/") && !p.startsWith("sys/"))
                .file("usr/local/bin/thaw", 0755, "#!/bin/sh\nexec " + String.join(" ", ENTRYPOINT.stream()
                        .map(a -> a.contains("*") ? "'" + a + "'" : a).toList()) + " \"$@\"\n");
    }

    /** The C library and its loader, nothing else of Debian: Java's runtime needs no other shared library. */
    private LayerBuilder controlBase() throws IOException {
        LayerBuilder layer = new LayerBuilder("Debian bookworm libc6 (shared objects only), user thaw");
        Path realRoot = debianRoot.toRealPath();
        for (String top : List.of("bin", "sbin", "lib", "lib64")) {
            Path link = debianRoot.resolve(top);
            if (Files.isSymbolicLink(link)) {
                layer.copyAsIs(link, top);
            }
        }
        for (String listed : packageFiles("libc6")) {
            Path source = debianRoot.resolve(listed.substring(1));
            if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS) || !Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            // Listed paths go through merged-/usr links (/lib -> usr/lib); the layer holds their real place.
            Path relative = realRoot.relativize(source.getParent().toRealPath()).resolve(source.getFileName());
            String path = relative.toString();
            if (path.startsWith("..") || !(path.startsWith("usr/lib/") || path.startsWith("usr/lib64/"))
                    || path.contains("/gconv/")) {
                continue;
            }
            layer.copyAsIs(source, path);
        }
        for (String osRelease : List.of("usr/lib/os-release", "etc/os-release")) {
            layer.copyAsIs(debianRoot.resolve(osRelease), osRelease);
        }
        layer.file("etc/passwd", 0644, "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "thaw:x:65532:65532:thaw:/tmp:/usr/sbin/nologin\n");
        layer.file("etc/group", 0644, "root:x:0:\nthaw:x:65532:\n");
        layer.file("etc/nsswitch.conf", 0644, "passwd: files\ngroup: files\nhosts: files dns\n");
        layer.directory("tmp", 01777);
        // Mount points the container runtime fills.
        layer.directory("dev", 0755).directory("proc", 0555).directory("sys", 0555);
        return layer;
    }

    /** The paths dpkg lists for an installed package, e.g. "/usr/lib/x86_64-linux-gnu/libc.so.6". */
    private List<String> packageFiles(String pkg) throws IOException {
        Path info = debianRoot.resolve("var/lib/dpkg/info");
        for (String name : List.of(pkg + ":amd64.list", pkg + ".list")) {
            Path list = info.resolve(name);
            if (Files.isRegularFile(list)) {
                try (Stream<String> lines = Files.lines(list)) {
                    return lines.filter(l -> l.startsWith("/") && !l.contains("/../")).sorted().toList();
                }
            }
        }
        throw new IOException("package " + pkg + " is not installed in " + debianRoot);
    }
}
