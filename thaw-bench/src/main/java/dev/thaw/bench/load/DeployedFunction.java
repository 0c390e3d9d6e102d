package dev.thaw.bench.load;

/** A function deployed for a run, described well enough to stand in for trace functions of its size. */
public record DeployedFunction(String name, int memoryMib, double typicalDurationMs) {
    public DeployedFunction {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("deployed function needs a name");
        }
        if (memoryMib <= 0 || !(typicalDurationMs > 0)) {
            throw new IllegalArgumentException("deployed function " + name + " needs memory and duration > 0");
        }
    }
}
