package dev.thaw.control.access;

import java.util.Set;

/**
 * Who a request's token belongs to: the admin, who reaches every namespace, or a namespace token
 * that reaches only its own.
 *
 * @param token the token's id, or {@code admin}
 */
public record Principal(String token, boolean admin, Set<String> namespaces) {
    public static final Principal ADMIN = new Principal("admin", true, Set.of());

    public Principal {
        namespaces = Set.copyOf(namespaces);
    }

    /** Whether this caller may use namespace {@code namespace} (which may still not exist). */
    public boolean reaches(String namespace) {
        return admin || namespaces.contains(namespace);
    }
}
