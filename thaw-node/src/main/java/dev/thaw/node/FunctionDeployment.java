package dev.thaw.node;

import dev.thaw.sandbox.BootSpec;
import java.util.Objects;

/**
 * A function revision as a node receives it.
 *
 * @param spec what defines the guest; its disk paths are usable only when {@code imagesHere}
 * @param imagesHere whether this node built the images and holds them at the spec's paths; a node
 *     that did not fetches them by digest from the store into its cache
 */
public record FunctionDeployment(BootSpec spec, boolean imagesHere) {

    public FunctionDeployment {
        Objects.requireNonNull(spec, "spec");
    }

    public String function() {
        return spec.function();
    }

    public String revision() {
        return spec.revision();
    }

    /** The same revision as a node elsewhere sees it: by digests only. */
    public FunctionDeployment elsewhere() {
        return new FunctionDeployment(spec, false);
    }
}
