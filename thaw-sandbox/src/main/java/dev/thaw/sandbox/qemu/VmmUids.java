package dev.thaw.sandbox.qemu;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out a user id per VMM process, so that no two VMMs on a host (of any node or test) ever run
 * as the same user: one escaped VMM can then neither signal, trace nor read the files of another.
 * The ids are numeric, in a range no account uses, and need no entry in {@code /etc/passwd}. A VMM's
 * id is held by a lock on a file under {@link #LOCKS}; the lock goes with its holder, so the id of a
 * killed node is free again at once.
 */
final class VmmUids {
    /** First user id handed to VMMs; also the group id every VMM runs with. */
    static final int BASE = 1_900_000_000;
    /** How many ids follow {@link #BASE}. */
    static final int COUNT = 65_536;
    /** Host-wide, so nodes and tests in other processes draw from the same range. */
    static final Path LOCKS = Path.of("/dev/shm", "thaw-vmm-uids");

    /**
     * Ids this process holds. A second channel on a locked file must never be opened and closed in
     * the same process: on Linux, closing any descriptor of a file drops the process's lock on it.
     */
    private static final Set<Integer> HELD = ConcurrentHashMap.newKeySet();

    /** One held id; {@link #close()} frees it. */
    record Lease(int uid, FileLock lock) implements AutoCloseable {
        @Override
        public void close() {
            try {
                lock.channel().close();
            } catch (IOException ignored) {
                // closing the channel drops the lock; nothing else to undo
            } finally {
                HELD.remove(uid);
            }
        }
    }

    /** The group every VMM runs with: it may read the snapshot memory files shared by clones. */
    static int group() {
        return BASE;
    }

    Lease acquire() throws IOException {
        Files.createDirectories(LOCKS);
        // lowest free id first, so the lock files stay as few as the most VMMs ever run at once
        for (int uid = BASE + 1; uid < BASE + COUNT; uid++) {
            if (!HELD.add(uid)) {
                continue;
            }
            FileChannel channel = FileChannel.open(LOCKS.resolve(Integer.toString(uid)), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return new Lease(uid, lock);
                }
            } catch (OverlappingFileLockException e) {
                // cannot happen while HELD is kept; treated as taken
            } catch (IOException | RuntimeException e) {
                channel.close();
                HELD.remove(uid);
                throw e;
            }
            channel.close(); // held by another process
            HELD.remove(uid);
        }
        throw new IOException("no free VMM user id in " + (BASE + 1) + ".." + (BASE + COUNT - 1));
    }
}
