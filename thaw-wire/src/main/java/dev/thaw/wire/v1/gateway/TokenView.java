package dev.thaw.wire.v1.gateway;

import java.time.Instant;
import java.util.List;

/**
 * A token as the gateway keeps it: never its secret, which only the answer that issued it carries.
 *
 * @param id names the token in {@code DELETE /v1/tokens/{id}}; not a secret
 * @param token the secret to send as {@code Authorization: Bearer}, in the answer that issued it only
 * @param expiresAt when it stops working, or null for never
 * @param revokedAt when it was revoked, or null
 */
public record TokenView(String id, String token, List<String> namespaces, String description, Instant createdAt,
        Instant expiresAt, Instant revokedAt) {
}
