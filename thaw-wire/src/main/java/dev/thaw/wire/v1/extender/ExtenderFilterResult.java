package dev.thaw.wire.v1.extender;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A filter answer to kube-scheduler ({@code extender/v1.ExtenderFilterResult}).
 * Exactly one of {@code nodes} (a v1 NodeList) and {@code nodenames} is set,
 * matching the request's form; absent fields are left out, as Go's
 * {@code omitempty} does.
 *
 * @param failedNodes nodes dropped for now (no free slot, too little memory), with why
 * @param failedAndUnresolvableNodes nodes preemption cannot make fit; Thaw reports
 *     none: its capacity frees up as instances end
 * @param error set when the request could not be served; kube-scheduler then fails
 *     this scheduling attempt (or skips this extender if it is {@code ignorable})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExtenderFilterResult(JsonNode nodes, List<String> nodenames, Map<String, String> failedNodes,
        Map<String, String> failedAndUnresolvableNodes, String error) {

    public static ExtenderFilterResult failure(String error) {
        return new ExtenderFilterResult(null, null, null, null, error);
    }
}
