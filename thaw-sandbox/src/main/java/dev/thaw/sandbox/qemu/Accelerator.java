package dev.thaw.sandbox.qemu;

/** How QEMU runs guest code. */
enum Accelerator {
    KVM("kvm", "host"),
    // qemu64 rather than max: with max, the guest kernel picks AVX code paths for its
    // crypto, which TCG emulates slowly; a restored clone pays for that on reseed.
    TCG("tcg", "qemu64");

    private final String qemuName;
    private final String cpuModel;

    Accelerator(String qemuName, String cpuModel) {
        this.qemuName = qemuName;
        this.cpuModel = cpuModel;
    }

    String qemuName() {
        return qemuName;
    }

    String cpuModel() {
        return cpuModel;
    }
}
