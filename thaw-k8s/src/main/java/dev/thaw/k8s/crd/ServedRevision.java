package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The revision gateways serve for a ThawFunction, as the gateway that built it recorded it: what
 * every other gateway needs to serve it without building it again.
 *
 * @param revision the revision's id
 * @param archive the code archive it was built from, {@code sha256:<hex>}
 * @param settings the settings it is served with, every field set
 * @param imageDigest the digest of its function image
 * @param deployedAt when it was deployed, RFC 3339 in UTC
 * @param deployment what nodes are handed to run it (Thaw's {@code DeploymentSpec} as JSON)
 * @param exampleRequest the manifest's sample request, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServedRevision(String revision, String archive, ThawFunctionSettings settings, String imageDigest,
        String deployedAt, Map<String, Object> deployment, Map<String, Object> exampleRequest) {
}
