package dev.thaw.sandbox;

/**
 * How a sandbox started and what each step cost, in milliseconds.
 *
 * @param kind boot, restore, or restore into a pre-started VMM
 * @param vmmMs starting the VMM process until its control socket answered (0 when pooled)
 * @param loadMs booting the guest until the agent said ready, or loading the snapshot's device state
 * @param resumeMs from loading until the guest answered (reseeded), 0 for a boot
 * @param initMs the function's init phase as the guest measured it (for a restore: the snapshot's)
 * @param totalMs from the start request until the sandbox was handed out
 */
public record StartReport(StartKind kind, double vmmMs, double loadMs, double resumeMs, double initMs,
        double totalMs) {
}
