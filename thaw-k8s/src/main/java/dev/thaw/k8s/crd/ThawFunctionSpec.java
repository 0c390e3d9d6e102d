package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a user declares.
 *
 * @param archive the function's code archive ({@code .tar.gz} with its {@code thaw.yaml}) as
 *     {@code sha256:<64 hex digits>}, already uploaded to the store ({@code thaw deploy
 *     --kubernetes-namespace} uploads it)
 * @param settings how the gateway runs it; null or missing fields take the defaults
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ThawFunctionSpec(String archive, ThawFunctionSettings settings) {
}
