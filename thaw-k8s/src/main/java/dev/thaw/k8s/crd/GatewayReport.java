package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What one gateway replica last reported about a ThawFunction: each routes its own share of
 * the calls and counts only its own instances.
 *
 * @param gateway the replica (its pod name)
 * @param instances instances of the function it runs
 * @param updatedAt when it wrote this, RFC 3339 in UTC; reports far older than the report period are dropped
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GatewayReport(String gateway, int instances, String updatedAt) {
}
