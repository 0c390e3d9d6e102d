package dev.thaw.wire.v1.node;

import java.util.List;

/**
 * How a node confines the VMM processes it starts, and what it could not apply on its host.
 *
 * @param seccomp QEMU runs with its seccomp filter
 * @param ownUser each VMM runs as an unprivileged user of its own
 * @param mountNamespace each VMM runs chrooted in its run directory, in a mount namespace of its own
 * @param limits the resource limits applied, in words
 * @param gaps what could not be applied, and why; empty when confinement is complete
 */
public record ConfinementReport(boolean seccomp, boolean ownUser, boolean mountNamespace, String limits,
        List<String> gaps) {

    public ConfinementReport {
        gaps = List.copyOf(gaps);
    }
}
