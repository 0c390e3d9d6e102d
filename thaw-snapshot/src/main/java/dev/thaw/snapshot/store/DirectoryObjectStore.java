package dev.thaw.snapshot.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * An {@link ObjectStore} in a local directory: key {@code a/b/c} is the file
 * {@code <root>/a/b/c}. For single-host set-ups and tests; a shared mount works
 * too, since every put is a rename of a complete file.
 */
public final class DirectoryObjectStore implements ObjectStore {

    // Temporary files carry this prefix so that listings skip them.
    private static final String TEMP_PREFIX = ".thaw-put-";

    private final Path root;

    public DirectoryObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public void put(String key, Path file) throws StoreException {
        Path target = file(key);
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(target.getParent(), TEMP_PREFIX, ".tmp");
            Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
            commit(temp, target);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new StoreException("cannot store " + file + " as '" + key + "' under " + root + ": " + e, e);
        }
    }

    @Override
    public void put(String key, byte[] bytes) throws StoreException {
        Path target = file(key);
        Path temp = null;
        try {
            temp = writeTemp(target, bytes);
            commit(temp, target);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new StoreException("cannot store '" + key + "' under " + root + ": " + e, e);
        }
    }

    /** Writes {@code bytes} to a new temporary file beside {@code target}, creating its directory. */
    private static Path writeTemp(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), TEMP_PREFIX, ".tmp");
        try {
            Files.write(temp, bytes);
            return temp;
        } catch (IOException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    // A hard link fails when the name exists: the atomic create-if-absent a rename cannot give.
    @Override
    public boolean create(String key, byte[] bytes) throws StoreException {
        Path target = file(key);
        Path temp = null;
        try {
            temp = writeTemp(target, bytes);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.createLink(target, temp);
            return true;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new StoreException("cannot create '" + key + "' under " + root + ": " + e, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    @Override
    public byte[] get(String key) throws StoreException {
        try (java.io.InputStream in = Files.newInputStream(file(key))) {
            byte[] bytes = in.readNBytes(MAX_WHOLE_OBJECT_BYTES + 1);
            if (bytes.length > MAX_WHOLE_OBJECT_BYTES) {
                throw ObjectStore.tooLarge(key, Files.size(file(key)));
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key);
        } catch (IOException e) {
            throw new StoreException("cannot read '" + key + "' under " + root + ": " + e, e);
        }
    }

    /** Positional reads; fewer than {@code length} bytes come back when the object ends first. */
    @Override
    public byte[] getRange(String key, long offset, int length) throws StoreException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("range must be non-negative, got offset " + offset + ", length " + length);
        }
        try (FileChannel in = FileChannel.open(file(key), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, Math.min(length, in.size() - offset)));
            while (buffer.hasRemaining()) {
                if (in.read(buffer, offset + buffer.position()) < 0) {
                    break;
                }
            }
            return buffer.position() == buffer.capacity() ? buffer.array()
                    : Arrays.copyOf(buffer.array(), buffer.position());
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key);
        } catch (IOException e) {
            throw new StoreException("cannot read '" + key + "' under " + root + ": " + e, e);
        }
    }

    @Override
    public OptionalLong size(String key) throws StoreException {
        Path file = file(key);
        try {
            return Files.isRegularFile(file) ? OptionalLong.of(Files.size(file)) : OptionalLong.empty();
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new StoreException("cannot stat '" + key + "' under " + root + ": " + e, e);
        }
    }

    @Override
    public List<String> list(String prefix) throws StoreException {
        StoreKeys.requirePrefix(prefix);
        // Walk from the deepest directory the prefix names, then filter by the full prefix.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try {
            Files.walkFileTree(start, new KeyCollector(prefix, keys));
        } catch (IOException e) {
            throw new StoreException("cannot list '" + prefix + "' under " + root + ": " + e, e);
        }
        keys.sort(null);
        return keys;
    }

    /**
     * Collects the keys under a prefix. A file or directory that vanishes mid-walk (a put's temporary
     * file renamed, a delete pruning its directory) is simply not listed: a concurrent writer must not
     * make a listing fail.
     */
    private final class KeyCollector extends SimpleFileVisitor<Path> {
        private final String prefix;
        private final List<String> keys;

        KeyCollector(String prefix, List<String> keys) {
            this.prefix = prefix;
            this.keys = keys;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            if (attributes.isRegularFile() && !file.getFileName().toString().startsWith(TEMP_PREFIX)) {
                String key = root.relativize(file).toString().replace('\\', '/');
                if (key.startsWith(prefix)) {
                    keys.add(key);
                }
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
            }
            throw e;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
                throw e;
            }
            return FileVisitResult.CONTINUE;
        }
    }

    @Override
    public void delete(String key) throws StoreException {
        Path file = file(key);
        try {
            Files.deleteIfExists(file);
            pruneEmptyParents(file.getParent());
        } catch (IOException e) {
            throw new StoreException("cannot delete '" + key + "' under " + root + ": " + e, e);
        }
    }

    @Override
    public void close() {
        // Nothing held open.
    }

    private Path file(String key) {
        Path file = root.resolve(StoreKeys.requireKey(key)).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IllegalArgumentException("object key '" + key + "' points outside " + root);
        }
        return file;
    }

    private static void commit(Path temp, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    // Empty directories are not keys; removing them keeps the tree as small as the key set.
    private void pruneEmptyParents(Path dir) throws IOException {
        for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
            try {
                Files.deleteIfExists(d);
            } catch (DirectoryNotEmptyException e) {
                return;
            }
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // The original failure is what matters.
            }
        }
    }

    @Override
    public String toString() {
        return "DirectoryObjectStore[" + root + "]";
    }
}
