package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A Kubernetes-style condition of a ThawFunction ({@code kubectl wait --for=condition=Ready}).
 *
 * @param type {@code Ready}
 * @param status {@code True}, {@code False} or {@code Unknown}
 * @param reason a CamelCase word for machines, e.g. {@code ArchiveMissing}
 * @param message what is wrong and what to do, for people
 * @param lastTransitionTime when {@code status} last changed, RFC 3339 in UTC
 * @param observedGeneration the object's {@code metadata.generation} this condition is about
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FunctionCondition(String type, String status, String reason, String message,
        String lastTransitionTime, Long observedGeneration) {

    public static final String READY = "Ready";

    /** Whether this says the same as {@code other}, whenever each was written. */
    public boolean sameAs(FunctionCondition other) {
        return other != null && type.equals(other.type) && status.equals(other.status)
                && java.util.Objects.equals(reason, other.reason) && java.util.Objects.equals(message, other.message)
                && java.util.Objects.equals(observedGeneration, other.observedGeneration);
    }
}
