package dev.thaw.wire.v1.gateway;

/**
 * A deploy of a function directory on the gateway's own host, as JSON (gateways started with
 * {@code --allow-host-paths} only; others take a {@code .tar.gz} upload).
 *
 * @param path the absolute path of the function directory on the gateway host
 * @param settings how to run it; null keeps every default
 */
public record DeployRequest(String path, DeploySettings settings) {
}
