package dev.thaw.wire.v1.gateway;

import java.time.Instant;
import java.util.List;

/**
 * Issues a token ({@code POST /v1/tokens}, admin token).
 *
 * @param namespaces the namespaces the token may use (at least one; each must exist)
 * @param expiresAt when it stops working, or null for never
 * @param description what it is for, shown when tokens are listed; optional
 */
public record TokenRequest(List<String> namespaces, Instant expiresAt, String description) {
}
