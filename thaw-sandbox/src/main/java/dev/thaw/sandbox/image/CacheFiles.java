package dev.thaw.sandbox.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

/** File-system helpers for the cache: publishing entries atomically, small text files, trees. */
final class CacheFiles {

    private CacheFiles() {}

    /**
     * Flushes every file in {@code built} to disk, then renames the directory to {@code target}
     * with {@code ATOMIC_MOVE} (both must be on one file system, as everything under a
     * {@link ThawHome} is) and flushes {@code target}'s parent directory.
     *
     * @throws java.nio.file.FileAlreadyExistsException or another IOException if {@code target}
     *     already exists; callers hold the entry's {@link CacheLock} so that it does not
     */
    static void publish(Path built, Path target) throws IOException {
        syncTree(built);
        Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(target.getParent());
    }

    /** Writes {@code text} (UTF-8) to {@code target} via a temporary file and an atomic rename. */
    static void writeStringAtomically(Path target, String text) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * The content of a small metadata file that belongs to a cache entry, stripped.
     *
     * @throws IOException naming the file and the entry to delete if it is missing or empty
     */
    static String readMetadata(Path file, Path entry) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new IOException("cache entry " + entry + " is incomplete: " + file.getFileName()
                    + " is missing; delete " + entry + " to have it rebuilt", e);
        }
        if (text.isEmpty()) {
            throw new IOException("cache entry " + entry + " is damaged: " + file.getFileName()
                    + " is empty; delete " + entry + " to have it rebuilt");
        }
        return text;
    }

    /**
     * The apparent size of a tree, as {@code du --apparent-size} counts it: the sizes of all
     * files, directories and symbolic links (links not followed).
     */
    static long apparentSize(Path tree) throws IOException {
        AtomicLong total = new AtomicLong();
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                total.addAndGet(attrs.size());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total.addAndGet(attrs.size());
                return FileVisitResult.CONTINUE;
            }
        });
        return total.get();
    }

    /** {@code bytes} rounded up to a whole number of MiB, in MiB. */
    static long roundUpToMib(long bytes) {
        long mib = 1L << 20;
        return (bytes + mib - 1) / mib;
    }

    private static void syncTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                        channel.force(true);
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                syncDirectory(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Best effort: makes a directory's entries durable (not every platform can open a directory). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not supported here; the rename is still atomic, only its durability is weaker.
        }
    }
}
