package dev.thaw.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.node.identity.NodeTokens;
import dev.thaw.snapshot.store.DirectoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bindings of node names to tokens, in a real directory store, as a second gateway on it would read them. */
class NodeIdentitiesTest {
    private static final String KEY = "a-gateway-identity-key";

    @Test
    void aBindingLastsAcrossGatewaysAndOnlyTheKeyMakesOne(@TempDir Path dir) throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(dir);
        NodeIdentities first = new NodeIdentities(store, KEY, InstantSource.system());
        String token = NodeTokens.issue("node-a");
        assertThat(first.join("node-a", token)).isTrue();
        assertThat(first.join("node-a", token)).as("the same token again: a lost answer").isFalse();
        assertThatThrownBy(() -> first.join("node-a", NodeTokens.issue("node-a")))
                .isInstanceOf(NodeIdentities.NameTaken.class);
        assertThatThrownBy(() -> first.join("node-a", NodeTokens.issue("node-b")))
                .isInstanceOf(IllegalArgumentException.class);

        // A gateway started later on the same store and key knows the node; with another key it does not.
        NodeIdentities second = new NodeIdentities(store, KEY, InstantSource.system());
        assertThat(second.authenticate(token)).contains("node-a");
        assertThat(second.authenticate(NodeTokens.issue("node-a"))).isEmpty();
        assertThat(second.authenticate(NodeTokens.callToken(token))).isEmpty();
        assertThat(new NodeIdentities(store, "another-identity-key", InstantSource.system()).authenticate(token))
                .isEmpty();

        // Whoever writes the store without the key (every node can) cannot plant a binding that lets it in:
        // not a plain hash of its own token, not a copy of another binding.
        String planted = NodeTokens.issue("node-b");
        String plainHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(planted.getBytes(StandardCharsets.UTF_8)));
        store.put("registry/nodes/node-b.json", ("{\"format\": 1, \"node\": \"node-b\", \"tokenHmac\": \""
                + plainHash + "\", \"joinedAt\": \"2026-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8));
        NodeIdentities third = new NodeIdentities(store, KEY, InstantSource.system());
        assertThat(third.authenticate(planted)).isEmpty();
        // A planted or garbled binding still holds the name: at worst a lockout, never a takeover.
        assertThatThrownBy(() -> third.join("node-b", planted)).isInstanceOf(NodeIdentities.NameTaken.class);
        store.put("registry/nodes/node-c.json", "{not json".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> third.join("node-c", NodeTokens.issue("node-c")))
                .isInstanceOf(NodeIdentities.NameTaken.class);

        // Removed, the name joins again and the old token is dead, here and for a later gateway.
        assertThat(third.forget("node-a")).isTrue();
        assertThat(third.authenticate(token)).isEmpty();
        String replacement = NodeTokens.issue("node-a");
        assertThat(third.join("node-a", replacement)).isTrue();
        NodeIdentities fourth = new NodeIdentities(store, KEY, InstantSource.system());
        assertThat(fourth.authenticate(replacement)).contains("node-a");
        assertThat(fourth.authenticate(token)).isEmpty();
    }
}
