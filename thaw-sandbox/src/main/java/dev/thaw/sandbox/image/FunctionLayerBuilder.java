package dev.thaw.sandbox.image;

import dev.thaw.sandbox.FileTrees;
import dev.thaw.api.FunctionManifest;
import dev.thaw.api.FunctionManifests;
import dev.thaw.api.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds and caches function layers: small ext4 images holding
 *
 * <pre>
 * /opt/thaw/agent.py        the guest agent (resource guest/agent/thaw_agent.py)
 * /opt/thaw/function.json   {"handler":"module:function", "env":{...}, "timeout_ms":...}
 * /opt/thaw/function/...    the function directory's regular files but its thaw.yaml
 * </pre>
 *
 * <p>From the function directory, every regular file is copied except those under a hidden
 * ({@code .}-prefixed) name or a {@code __pycache__} directory; symbolic links and special files
 * are skipped, not followed, and so are directories without copied files. Files keep only their
 * owner-executable bit (mode 0755 or 0644); directories are 0755; everything is owned by root
 * and stamped {@link Ext4Image#FIXED_TIME}.
 *
 * <p>Cache layout: {@code images/<name>/<key>/layer.ext4} and {@code digest}, with lock files
 * {@code images/<name>/<key>.lock}. The key hashes the agent, function.json and every copied
 * file's relative path, mode and bytes, so an unchanged function reuses its layer. The image is
 * made reproducibly (see {@link Ext4Image}): equal inputs give an equal digest even when rebuilt.
 */
final class FunctionLayerBuilder {

    /** A built layer. */
    record Layer(String key, Path image, String digest) {}

    static final String IMAGE = "layer.ext4";
    static final String DIGEST = "digest";
    static final String LABEL = "thaw-fn";

    /** Bump when the layer layout changes, so that cached layers are rebuilt. */
    private static final String FORMAT = "thaw-layer-v1";
    private static final long MIN_BYTES = 4L << 20;
    private static final long HEADROOM_BYTES = 2L << 20;
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> EXEC_MODE = DIR_MODE;
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Logger LOG = System.getLogger(FunctionLayerBuilder.class.getName());

    /** Returns the layer for {@code manifest} and the files in {@code functionDir}, building it if needed. */
    Layer ensure(ThawHome home, FunctionManifest manifest, Path functionDir) throws IOException {
        Path work = home.newTempDir("layer-" + manifest.name());
        try {
            Path tree = work.resolve("tree");
            String key = stage(manifest, functionDir, tree);
            Path images = Files.createDirectories(home.images().resolve(manifest.name()));
            Path entry = images.resolve(key);
            if (Files.isDirectory(entry)) {
                return read(key, entry);
            }
            try (CacheLock _ = CacheLock.acquire(images.resolve(key + ".lock"))) {
                if (!Files.isDirectory(entry)) {
                    build(key, tree, work, entry);
                }
                return read(key, entry);
            }
        } finally {
            FileTrees.deleteTree(work);
        }
    }

    /**
     * function.json's bytes: compact JSON with keys in a fixed order and env sorted by key. The
     * function's name is left out: nothing in the guest needs it, and without it two functions with
     * the same code and configuration boot into the same memory, so their snapshots share chunks.
     */
    static byte[] functionJson(FunctionManifest manifest) {
        ObjectNode config = Json.mapper().createObjectNode();
        config.put("handler", manifest.handler().toString());
        ObjectNode env = config.putObject("env");
        new TreeMap<>(manifest.env()).forEach(env::put);
        config.put("timeout_ms", manifest.timeout().toMillis());
        return Json.write(config).getBytes(StandardCharsets.UTF_8);
    }

    /** Lays out the layer's tree in {@code tree}, with fixed modes and times; returns its key. */
    private static String stage(FunctionManifest manifest, Path functionDir, Path tree) throws IOException {
        Path thaw = Files.createDirectories(tree.resolve("opt/thaw"));
        Path code = Files.createDirectory(thaw.resolve("function"));
        byte[] agent = GuestResources.read(GuestResources.AGENT);
        byte[] config = functionJson(manifest);
        Files.write(thaw.resolve("agent.py"), agent);
        Files.write(thaw.resolve("function.json"), config);
        List<String> copied = copyFunction(functionDir, code);

        MessageDigest key = Hashing.sha256();
        Hashing.updateFramed(key, FORMAT);
        Hashing.updateFramed(key, agent);
        Hashing.updateFramed(key, config);
        for (String relative : copied) {
            Path file = code.resolve(relative);
            Hashing.updateFramed(key, relative);
            Hashing.updateFramed(key, ownerExecutable(file) ? "0755" : "0644");
            Hashing.updateFramed(key, file);
        }
        fixModesAndTimes(tree);
        return Hashing.hex(key).substring(0, 32);
    }

    /** Copies the function's files; returns their relative paths ('/'-separated), sorted. */
    private static List<String> copyFunction(Path functionDir, Path code) throws IOException {
        Path source = functionDir.toAbsolutePath().normalize();
        List<String> copied = new ArrayList<>();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                return !dir.equals(source) && excluded(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String relative = source.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                // The manifest is Thaw's, not the function's: what the guest needs of it is in
                // function.json, and leaving it out keeps the function's name out of the guest.
                if (attrs.isRegularFile() && !excluded(file) && !relative.equals(FunctionManifests.MANIFEST_FILE)) {
                    Path target = code.resolve(relative);
                    Files.createDirectories(target.getParent());
                    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                        Files.copy(in, target);
                    }
                    Files.setPosixFilePermissions(target, ownerExecutable(file) ? EXEC_MODE : FILE_MODE);
                    copied.add(relative);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        copied.sort(Comparator.naturalOrder());
        return copied;
    }

    private static boolean ownerExecutable(Path file) throws IOException {
        return Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).contains(PosixFilePermission.OWNER_EXECUTE);
    }

    private static boolean excluded(Path path) {
        String name = path.getFileName().toString();
        return name.startsWith(".") || name.equals("__pycache__");
    }

    /** Directories 0755; agent and config 0644; every time {@link Ext4Image#FIXED_TIME}. */
    private static void fixModesAndTimes(Path tree) throws IOException {
        FileTime fixed = FileTime.from(Ext4Image.FIXED_TIME, TimeUnit.SECONDS);
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(tree)) {
            paths = new ArrayList<>(walk.toList());
        }
        // Children before parents: setting a child's times does not touch its parent's, but
        // creating it did, so parents are fixed last.
        paths.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path path : paths) {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                Files.setPosixFilePermissions(path, DIR_MODE);
            } else if (!path.startsWith(tree.resolve("opt/thaw/function"))) {
                Files.setPosixFilePermissions(path, FILE_MODE);
            }
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(fixed, fixed, null);
        }
    }

    private static void build(String key, Path tree, Path work, Path target) throws IOException {
        long started = System.nanoTime();
        long content = CacheFiles.apparentSize(tree);
        long sizeMib = CacheFiles.roundUpToMib(Math.max(MIN_BYTES, content * 2 + HEADROOM_BYTES));
        Path entry = Files.createDirectory(work.resolve("entry"));
        Path image = entry.resolve(IMAGE);
        Ext4Image.create(tree, image, sizeMib, LABEL,
                UUID.nameUUIDFromBytes(("thaw-layer:" + key).getBytes(StandardCharsets.UTF_8)));
        Ext4Image.normalizeInodes(tree, image, work.resolve("debugfs-commands"));
        Files.writeString(entry.resolve(DIGEST), Hashing.sha256Hex(image) + "\n");
        CacheFiles.publish(entry, target);
        LOG.log(Level.INFO, "built function layer " + target + " (" + sizeMib + " MiB) in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    private static Layer read(String key, Path entry) throws IOException {
        return new Layer(key, entry.resolve(IMAGE), CacheFiles.readMetadata(entry.resolve(DIGEST), entry));
    }
}
