package dev.thaw.sandbox;

import java.util.List;

/**
 * How a driver confines the VMM processes it starts, after Firecracker's jailer, and what it could
 * not apply on this host. A node logs it at start and reports it on {@code /v1/status}, so a weaker
 * confinement is never silent.
 *
 * @param seccomp QEMU runs with its seccomp filter ({@code -sandbox on,...deny})
 * @param ownUser each VMM runs as an unprivileged user of its own, with no capabilities
 * @param mountNamespace each VMM runs chrooted in its run directory, in a mount namespace of its own
 *     that holds only its own files and the VMM's read-only program files
 * @param limits the resource limits applied, in words
 * @param gaps what could not be applied, and why; empty when confinement is complete
 */
public record Confinement(boolean seccomp, boolean ownUser, boolean mountNamespace, String limits,
        List<String> gaps) {

    public Confinement {
        gaps = List.copyOf(gaps);
    }

    /** Nothing confined, for drivers that start no VMM processes (fakes, tests). */
    public static Confinement none(String why) {
        return new Confinement(false, false, false, "none", List.of(why));
    }

    /** Whether everything was applied. */
    public boolean complete() {
        return gaps.isEmpty();
    }

    /** One line for logs. */
    public String describe() {
        String applied = "seccomp " + onOff(seccomp) + ", own user " + onOff(ownUser) + ", mount namespace and chroot "
                + onOff(mountNamespace) + ", limits: " + limits;
        return gaps.isEmpty() ? applied : applied + "; NOT applied: " + String.join("; ", gaps);
    }

    private static String onOff(boolean on) {
        return on ? "on" : "OFF";
    }
}
