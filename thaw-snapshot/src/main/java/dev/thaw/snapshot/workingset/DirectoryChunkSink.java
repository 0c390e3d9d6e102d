package dev.thaw.snapshot.workingset;

import dev.thaw.snapshot.store.ChunkTransfer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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
    public boolean has(String digest) {
        return Files.isRegularFile(file(digest));
    }

    @Override
    public void put(String digest, byte[] data) throws IOException {
        Path target = file(digest);
        Path temp = Files.createTempFile(dir, ".chunk-", ".tmp");
        try {
            Files.write(temp, data);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
