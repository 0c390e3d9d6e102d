package dev.thaw.snapshot.cache;

import dev.thaw.api.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * The file that makes a directory under the cache root an entry. It is written into the staging
 * directory before the rename that commits the entry, so a directory without one was never
 * committed. Its modification time is the entry's last use, which lets the LRU order survive
 * a restart without rewriting the file on every hit.
 */
record EntryMarker(String key, long bytes, Instant committedAt) {

    static final String FILE_NAME = ".thaw-entry";

    static Path in(Path entryDir) {
        return entryDir.resolve(FILE_NAME);
    }

    /** Writes the marker and flushes it, so a committed entry never carries an empty one after a crash. */
    void writeTo(Path entryDir) throws IOException {
        byte[] json = Json.mapper().writeValueAsBytes(this);
        try (FileChannel channel = FileChannel.open(in(entryDir),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(json);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    static EntryMarker readFrom(Path entryDir) throws IOException {
        return Json.mapper().readValue(Files.readAllBytes(in(entryDir)), EntryMarker.class);
    }

    static Instant lastUse(Path entryDir) throws IOException {
        return Files.getLastModifiedTime(in(entryDir)).toInstant();
    }

    static void setLastUse(Path entryDir, Instant lastUse) throws IOException {
        Files.setLastModifiedTime(in(entryDir), FileTime.from(lastUse));
    }
}
