package dev.thaw.snapshot.workingset;

import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chunks as files named by their digest in one directory, each written under a temporary name
 * and renamed into place, so a reader never sees half a chunk.
 */
public final class DirectoryChunkSink implements ChunkSink {
    private final Path dir;

    public DirectoryChunkSink(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    public Path file(String digest) {
        // The digest is checked to be 64 hex digits, so it cannot leave the directory.
        return dir.resolve(ChunkTransfer.key(digest).substring(ChunkTransfer.CHUNKS.length()));
    }

    @Override
    public void fill(String digest, int length, Fetch fetch) throws StoreException, IOException {
        Path target = file(digest);
        if (Files.isRegularFile(target)) {
            return;
        }
        byte[] data = fetch.fetch(new AtomicLong());
        Path temp = Files.createTempFile(dir, ".chunk-", ".tmp");
        try {
            Files.write(temp, data);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
