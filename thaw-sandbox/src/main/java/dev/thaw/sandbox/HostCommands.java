package dev.thaw.sandbox;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every host program Thaw or its tests run, with the Debian package that provides it.
 * {@code scripts/install-host-deps.sh} installs the same list (a test keeps the two in step), and
 * {@link ExternalCommand} refuses to run a program that is not declared here, so a new host
 * dependency cannot slip in without an install step.
 */
public final class HostCommands {
    private static final Map<String, String> PACKAGES = new TreeMap<>(Map.ofEntries(
            Map.entry("qemu-system-x86_64", "qemu-system-x86"),
            Map.entry("debootstrap", "debootstrap"),
            Map.entry("mkfs.ext4", "e2fsprogs"),
            Map.entry("debugfs", "e2fsprogs"),
            Map.entry("dpkg-deb", "dpkg"),
            Map.entry("apt-get", "apt"),
            Map.entry("apt-cache", "apt"),
            Map.entry("cpio", "cpio"),
            Map.entry("setpriv", "util-linux"),
            Map.entry("unshare", "util-linux"),
            Map.entry("prlimit", "util-linux"),
            Map.entry("mount", "mount"),
            Map.entry("chroot", "coreutils"),
            Map.entry("umount", "mount"),
            Map.entry("stat", "coreutils"),
            Map.entry("sleep", "coreutils"),
            Map.entry("true", "coreutils"),
            Map.entry("sh", "dash"),
            Map.entry("cc", "gcc"),
            Map.entry("env", "coreutils"),
            Map.entry("skopeo", "skopeo"),
            Map.entry("docker-registry", "docker-registry")));

    /**
     * Programs Thaw uses where the host has them, with what to install otherwise; not installed by
     * the script. {@code kubectl kustomize} checks manifests; Debian 12 ships only kubectl 1.20
     * (package kubernetes-client), whose kustomize is years older than the one these manifests are
     * checked with, so Thaw does not install it.
     */
    private static final Map<String, String> OPTIONAL = new TreeMap<>(Map.of(
            "kubectl", "kubectl (from the Kubernetes project's packages)"));

    private HostCommands() {
    }

    /** Command name to Debian package for every command the install script provides, sorted by command. */
    public static Map<String, String> all() {
        return PACKAGES;
    }

    /** Command name to what provides it, for commands used only where the host has them. */
    public static Map<String, String> optional() {
        return OPTIONAL;
    }

    /** What provides {@code command} (a bare name), if Thaw declares it, installed or optional. */
    public static Optional<String> packageOf(String command) {
        return Optional.ofNullable(PACKAGES.getOrDefault(command, OPTIONAL.get(command)));
    }
}
