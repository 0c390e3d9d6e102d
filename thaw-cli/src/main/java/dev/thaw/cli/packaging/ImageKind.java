package dev.thaw.cli.packaging;

import java.util.List;

/** The images Thaw ships: one for node agents, a slim one for the gateway and the scheduler extender. */
public enum ImageKind {
    /** Node agents: Debian with QEMU and the tools that build guest images, a Java runtime, Thaw; runs as root. */
    NODE("node", "thaw-node", "0:0"),
    /** Gateway and extender: the C library, a Java runtime and Thaw, nothing else; runs as user 65532. */
    CONTROL("control", "thaw-control", "65532:65532");

    /**
     * What a node runs besides Java: QEMU, debootstrap (guest base roots), e2fsprogs (mkfs.ext4 and
     * debugfs for guest images), static busybox (guest initramfs) and mount (umount).
     */
    static final List<String> NODE_PACKAGES = List.of("busybox-static", "debootstrap", "e2fsprogs", "mount",
            "qemu-system-x86");

    private final String id;
    private final String imageName;
    private final String user;

    ImageKind(String id, String imageName, String user) {
        this.id = id;
        this.imageName = imageName;
        this.user = user;
    }

    /** The word used on the command line and as the OCI layout's reference name. */
    public String id() {
        return id;
    }

    /** The image's name in the manifests under deploy/ and, prefixed, in a registry. */
    public String imageName() {
        return imageName;
    }

    String user() {
        return user;
    }
}
