package dev.thaw.node;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/**
 * Threads for a node's background work (publishing snapshots to the store, completing lazily
 * restored snapshots): they run at a lower CPU priority than the threads that start instances and
 * serve chunks to peers, so that on a busy node a burst's starts, and the peers reading a fresh
 * snapshot from this node, get the CPU before an upload does. Linux keeps a nice value per thread
 * and a thread's children inherit it, so the pools a background thread creates for its compression
 * and transfers run at the same low priority. Where the call is not available the threads run at
 * the normal priority.
 */
final class BackgroundThreads {
    /** The nice value of background threads: well below a start's, still above idle work. */
    static final int NICE = 10;
    private static final int PRIO_PROCESS = 0;
    private static final Optional<Native> NATIVE = Native.load();

    private BackgroundThreads() {
    }

    /** Daemon platform threads named {@code prefix0}, {@code prefix1}, ..., each at {@link #NICE}. */
    static ThreadFactory factory(String prefix) {
        ThreadFactory plain = Thread.ofPlatform().daemon().name(prefix, 0).factory();
        return task -> plain.newThread(() -> {
            lowerCurrentThread();
            task.run();
        });
    }

    /** Lowers the calling thread's CPU priority to {@link #NICE}; false where that is not possible. */
    static boolean lowerCurrentThread() {
        return NATIVE.isPresent() && NATIVE.get().renice(NICE);
    }

    /** libc's gettid and setpriority, through the foreign-function API. */
    private record Native(MethodHandle gettid, MethodHandle setpriority) {

        static Optional<Native> load() {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                MethodHandle gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT));
                MethodHandle setpriority = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT));
                return Optional.of(new Native(gettid, setpriority));
            } catch (RuntimeException | LinkageError e) {
                return Optional.empty(); // not Linux/glibc, or native access denied
            }
        }

        boolean renice(int nice) {
            try {
                int tid = (int) gettid.invokeExact();
                return (int) setpriority.invokeExact(PRIO_PROCESS, tid, nice) == 0;
            } catch (Throwable e) {
                return false;
            }
        }
    }
}
