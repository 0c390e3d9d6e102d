package dev.thaw.wire.v1.gateway;

/**
 * A node asking the gateway, with the cluster's join token, to bind {@code token} to its name
 * {@code node}. The node makes the token itself ({@code <node>.<64 random hex digits>}) and keeps
 * it before it asks, so a join whose answer was lost can simply be sent again: the gateway accepts
 * the same token for the same name again, and refuses any other once the name is bound.
 */
public record JoinRequest(String node, String token) {
    // The token never goes into logs.
    @Override
    public String toString() {
        return "JoinRequest[node=" + node + "]";
    }
}
