package dev.thaw.wire.v1.gateway;

/**
 * Creates a namespace ({@code POST /v1/namespaces}, admin token).
 *
 * @param name a DNS label
 * @param quota its quota, or null for none
 */
public record NamespaceRequest(String name, QuotaSettings quota) {
}
