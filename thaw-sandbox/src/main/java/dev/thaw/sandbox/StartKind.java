package dev.thaw.sandbox;

/** Where a sandbox's guest came from. */
public enum StartKind {
    /** Booted the kernel and ran the function's init phase. */
    BOOT,
    /** Restored from a snapshot into a newly started VMM process. */
    RESTORE,
    /** Restored from a snapshot into a VMM process that was already waiting. */
    RESTORE_POOLED
}
