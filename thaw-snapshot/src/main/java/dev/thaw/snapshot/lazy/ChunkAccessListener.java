package dev.thaw.snapshot.lazy;

/**
 * Told the first time each chunk of a presented file is read (zero chunks included), in the
 * order the guest touches them: what a restore needs first, and so what is worth prefetching.
 * Called on a file system thread; must be quick and must not throw.
 */
@FunctionalInterface
public interface ChunkAccessListener {
    ChunkAccessListener NONE = (file, index) -> { };

    /**
     * Chunk {@code index} of {@code file} was read for the first time.
     *
     * @param file the presented file's name in the snapshot ({@code mem})
     * @param index the chunk's index in that file
     */
    void firstRead(String file, int index);

    /**
     * Every read of {@code length} bytes at {@code offset} of {@code file}, before it is served:
     * the pages the guest touches, at the granularity the kernel asks for them.
     */
    default void read(String file, long offset, int length) {
    }
}
