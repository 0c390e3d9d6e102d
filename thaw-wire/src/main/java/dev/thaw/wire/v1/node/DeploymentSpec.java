package dev.thaw.wire.v1.node;

import dev.thaw.api.FunctionId;
import dev.thaw.api.MachineShape;
import java.util.List;
import java.util.Objects;

/**
 * A function revision as the control plane hands it to nodes: everything a node
 * needs to boot or restore it. Image layers are named by digest; {@code imagePaths}
 * are where the deploying host built them, usable by a node on that host.
 *
 * @param initTimeoutMs how long boot plus the function's init may take
 * @param invokeTimeoutMs the function's per-invocation timeout
 */
public record DeploymentSpec(String function, String revision, MachineShape shape, long initTimeoutMs,
        long invokeTimeoutMs, String kernelDigest, List<String> imageDigests, List<String> imagePaths) {

    public DeploymentSpec {
        FunctionId.requireKey(function);
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(kernelDigest, "kernelDigest");
        imageDigests = List.copyOf(imageDigests);
        imagePaths = List.copyOf(imagePaths);
        if (imageDigests.isEmpty() || (!imagePaths.isEmpty() && imagePaths.size() != imageDigests.size())) {
            throw new IllegalArgumentException("need one digest per image layer, and a path per layer or none");
        }
        if (initTimeoutMs <= 0 || invokeTimeoutMs <= 0) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }
}
