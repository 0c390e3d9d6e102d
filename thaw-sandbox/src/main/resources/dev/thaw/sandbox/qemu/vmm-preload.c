/*
 * Preloaded into a QEMU process that restores a snapshot (see VmmPreload.java).
 *
 * QEMU madvises all guest RAM MADV_HUGEPAGE. For a file-backed mapping, Linux then
 * reads 2 to 4 MiB of the file around every page fault, whatever the file's own
 * readahead setting. A restored guest touches a few MiB of its snapshot, scattered
 * over most of it, so that advice turns a lazy restore into reading nearly the
 * whole snapshot. Ignoring it leaves read-around to the file (the node sets it for
 * lazily presented memory); every other advice goes to the kernel unchanged.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int madvise(void *addr, size_t length, int advice)
{
    if (advice == MADV_HUGEPAGE) {
        return 0;
    }
    return (int) syscall(SYS_madvise, addr, length, advice);
}
