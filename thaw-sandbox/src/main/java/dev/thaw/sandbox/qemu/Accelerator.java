package dev.thaw.sandbox.qemu;

/** How QEMU runs guest code. */
enum Accelerator {
    KVM("kvm", "host"),
    TCG("tcg", "max");

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
