package dev.thaw.snapshot.workingset;

import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.store.ChunkTransfer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asks the kernel to bring a working set's ranges of a local snapshot file into the page cache
 * before a VM maps it ({@code posix_fadvise(POSIX_FADV_WILLNEED)}: the reads start at once and run
 * in the background), so a restore with a cold page cache does not fault them in one by one.
 * Where that call is not available the ranges are read instead.
 */
public final class ReadAhead {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int POSIX_FADV_WILLNEED = 3;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final int READ_BUFFER = 1 << 20;
    private static final Optional<Native> NATIVE = Native.load();

    /**
     * What was asked for.
     *
     * @param ranges contiguous byte ranges (adjacent chunks merged)
     * @param bytes their total length
     * @param method {@code fadvise} or {@code read}
     */
    public record Result(int ranges, long bytes, String method) {}

    /** A byte range of the file. */
    public record Range(long offset, long length) {}

    private ReadAhead() {}

    /**
     * Reads ahead the non-zero chunks of {@code set} in {@code file}, which {@code entry} describes;
     * the set must have been checked against the snapshot ({@link WorkingSet#requireWithin}).
     */
    public static Result willNeed(Path file, FileEntry entry, WorkingSet set) throws IOException {
        List<Range> ranges = ranges(entry, set);
        long bytes = ranges.stream().mapToLong(Range::length).sum();
        if (NATIVE.isPresent() && NATIVE.get().advise(file, ranges, POSIX_FADV_WILLNEED)) {
            return new Result(ranges.size(), bytes, "fadvise");
        }
        read(file, ranges);
        return new Result(ranges.size(), bytes, "read");
    }

    /**
     * Asks the kernel to drop {@code file}'s clean pages from the page cache, as a node's cache
     * would be after other work (benchmarks measure cold restores with it); false when it could not.
     * Only pages already written back are dropped: call {@code FileChannel.force} first.
     */
    public static boolean dropCached(Path file) {
        return NATIVE.isPresent() && NATIVE.get().advise(file, List.of(new Range(0, 0)), POSIX_FADV_DONTNEED);
    }

    /** The non-zero chunks of {@code set} as byte ranges in file order, adjacent chunks merged. */
    public static List<Range> ranges(FileEntry entry, WorkingSet set) {
        int[] indices = set.chunks().stream().mapToInt(Integer::intValue)
                .filter(i -> i >= 0 && i < entry.chunks().size() && !ChunkTransfer.isZero(entry, i))
                .sorted().distinct().toArray();
        List<Range> ranges = new ArrayList<>();
        long offset = -1;
        long end = -1;
        for (int index : indices) {
            long from = (long) index * entry.chunkSize();
            long to = from + entry.chunkLength(index);
            if (from == end) {
                end = to;
                continue;
            }
            if (offset >= 0) {
                ranges.add(new Range(offset, end - offset));
            }
            offset = from;
            end = to;
        }
        if (offset >= 0) {
            ranges.add(new Range(offset, end - offset));
        }
        return ranges;
    }

    private static void read(Path file, List<Range> ranges) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
            for (Range range : ranges) {
                long position = range.offset();
                long end = range.offset() + range.length();
                while (position < end) {
                    buffer.clear().limit((int) Math.min(READ_BUFFER, end - position));
                    int n = channel.read(buffer, position);
                    if (n < 0) {
                        break; // a file shorter than its entry: the restore reports that
                    }
                    position += n;
                }
            }
        }
    }

    /** libc's open, posix_fadvise and close, through the foreign-function API. */
    private record Native(MethodHandle open, MethodHandle fadvise, MethodHandle close) {

        static Optional<Native> load() {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                MethodHandle open = linker.downcallHandle(libc.find("open").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                        Linker.Option.firstVariadicArg(2));
                MethodHandle fadvise = linker.downcallHandle(libc.find("posix_fadvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                return Optional.of(new Native(open, fadvise, close));
            } catch (RuntimeException | LinkageError e) {
                return Optional.empty(); // not Linux/glibc, or native access denied: read instead
            }
        }

        /** False when the file cannot be opened or advised; the caller then reads. */
        boolean advise(Path file, List<Range> ranges, int advice) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment path = arena.allocateFrom(file.toAbsolutePath().toString());
                int fd = (int) open.invokeExact(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                    return false;
                }
                try {
                    for (Range range : ranges) {
                        int error = (int) fadvise.invokeExact(fd, range.offset(), range.length(), advice);
                        if (error != 0) {
                            return false;
                        }
                    }
                    return true;
                } finally {
                    int ignored = (int) close.invokeExact(fd);
                }
            } catch (Throwable e) {
                return false;
            }
        }
    }
}
