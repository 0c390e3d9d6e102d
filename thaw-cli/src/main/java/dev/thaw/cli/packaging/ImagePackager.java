package dev.thaw.cli.packaging;

import dev.thaw.sandbox.image.ThawHome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds Thaw's images into an OCI layout: the Debian root and the Java runtime come from the
 * Thaw home's cache (built on first use), then the layers, config and manifest are written.
 */
public final class ImagePackager {
    private final ThawHome home;
    private final Path jdk;
    private final ThawJars jars;
    private final String version;

    public ImagePackager(ThawHome home, Path jdk, ThawJars jars, String version) {
        this.home = home;
        this.jdk = jdk;
        this.jars = jars;
        this.version = version;
    }

    /** Builds {@code kinds} into the layout at {@code layoutDir}, each under its {@link ImageKind#id()}. */
    Map<ImageKind, OciLayout.Image> build(Path layoutDir, List<ImageKind> kinds) throws IOException {
        Path root = new DebianRoots(home).ensure(ImageKind.NODE_PACKAGES);
        Path jre = new JavaRuntimes(home).ensure(jdk);
        ImageAssembler assembler = new ImageAssembler(root, jre, jars, version);
        OciLayout layout = OciLayout.open(layoutDir);
        Map<ImageKind, OciLayout.Image> images = new LinkedHashMap<>();
        for (ImageKind kind : kinds) {
            images.put(kind, assembler.build(kind, layout));
        }
        return images;
    }
}
