package dev.thaw.control.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.snapshot.store.DirectoryObjectStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.testkit.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessStoreTest {
    private static final String KEY = "identity-key-0123456789";
    private static final String ADMIN = "admin-token";

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();

    private AccessStore open() throws StoreException {
        AccessStore store = new AccessStore(new DirectoryObjectStore(dir), KEY, clock);
        store.load();
        return store;
    }

    private static AccessException refused(AccessStore store, String token) {
        try {
            store.authenticate(token, ADMIN);
        } catch (AccessException e) {
            return e;
        }
        throw new AssertionError("the token was accepted: " + token);
    }

    @Test
    void issuedTokensReachTheirNamespacesAndSurviveARestartStoredOnlyAsKeyedHashes() throws Exception {
        AccessStore store = open();
        assertThat(store.namespaces()).extracting(AccessStore.NamespaceEntry::name).containsExactly("default");
        store.createNamespace("team-a", new Quota(2, null, null));
        store.createNamespace("team-b", Quota.NONE);
        AccessStore.Issued issued = store.issue(List.of("team-a"), null, "ci");
        assertThat(issued.token()).matches("thaw_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");

        Principal p = store.authenticate(issued.token(), ADMIN);
        assertThat(p.admin()).isFalse();
        assertThat(p.reaches("team-a")).isTrue();
        assertThat(p.reaches("team-b")).isFalse();
        assertThat(p.reaches("default")).isFalse();
        assertThat(store.authenticate(ADMIN, ADMIN)).isEqualTo(Principal.ADMIN);

        // Nothing in the store holds the secret.
        String stored = Files.walk(dir).filter(Files::isRegularFile).map(AccessStoreTest::read)
                .reduce("", String::concat);
        assertThat(stored).contains(issued.entry().id()).doesNotContain(issued.token())
                .doesNotContain(issued.token().substring(23));

        AccessStore restarted = open();
        assertThat(restarted.authenticate(issued.token(), ADMIN).namespaces()).containsExactly("team-a");
        assertThat(restarted.namespace("team-a").orElseThrow().quota()).isEqualTo(new Quota(2, null, null));
        assertThat(restarted.namespaces()).extracting(AccessStore.NamespaceEntry::name)
                .containsExactly("default", "team-a", "team-b");
    }

    @Test
    void malformedUnknownRevokedAndExpiredTokensGet401SayingWhich() throws Exception {
        AccessStore store = open();
        store.createNamespace("team-a", Quota.NONE);
        AccessStore.Issued revoked = store.issue(List.of("team-a"), null, null);
        AccessStore.Issued expiring = store.issue(List.of("team-a"), clock.instant().plus(Duration.ofHours(1)), null);
        store.revoke(revoked.entry().id());

        assertThat(refused(store, "").getMessage()).contains("needs 'Authorization: Bearer <token>'");
        assertThat(refused(store, "nonsense").getMessage()).contains("neither the admin token nor a namespace token");
        String forged = revoked.token().substring(0, 22) + "A".repeat(43);
        assertThat(refused(store, forged).getMessage()).contains("no token with id");
        assertThat(refused(store, "thaw_0123456789abcdef_" + "A".repeat(43)).getMessage())
                .contains("no token with id 0123456789abcdef");
        assertThat(refused(store, revoked.token()).getMessage()).contains("was revoked at");

        assertThat(store.authenticate(expiring.token(), ADMIN).reaches("team-a")).isTrue();
        clock.advance(Duration.ofHours(1));
        AccessException expired = refused(store, expiring.token());
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.getMessage()).contains("expired at");

        // A revocation is durable.
        assertThat(refused(open(), revoked.token()).getMessage()).contains("was revoked at");
    }

    @Test
    void badRequestsChangeNothing() throws Exception {
        AccessStore store = open();
        store.createNamespace("team-a", Quota.NONE);
        List<AccessStore.TokenEntry> before = store.tokens();
        assertThatThrownBy(() -> store.createNamespace("Team_A", Quota.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DNS label");
        assertThatThrownBy(() -> store.createNamespace("team-a", Quota.NONE))
                .hasMessageContaining("exists already");
        assertThatThrownBy(() -> store.issue(List.of("team-a", "nope"), null, null))
                .isInstanceOf(AccessException.class).hasMessageContaining("namespace 'nope' does not exist");
        assertThatThrownBy(() -> store.issue(List.of(), null, null)).hasMessageContaining("at least one namespace");
        assertThatThrownBy(() -> store.issue(List.of("team-a"), clock.instant(), null))
                .hasMessageContaining("not in the future");
        assertThatThrownBy(() -> store.revoke("0123456789abcdef")).hasMessageContaining("no token has id");
        assertThatThrownBy(() -> store.deleteNamespace("default")).hasMessageContaining("cannot be deleted");
        assertThatThrownBy(() -> new Quota(-1, null, null)).hasMessageContaining("0 or more");
        assertThat(store.tokens()).isEqualTo(before);
        assertThat(open().namespaces()).extracting(AccessStore.NamespaceEntry::name)
                .containsExactly("default", "team-a");
    }

    @Test
    void deletingANamespaceTakesItFromEveryToken() throws Exception {
        AccessStore store = open();
        store.createNamespace("team-a", Quota.NONE);
        store.createNamespace("team-b", Quota.NONE);
        AccessStore.Issued both = store.issue(List.of("team-a", "team-b"), null, null);
        store.deleteNamespace("team-a");
        Principal p = store.authenticate(both.token(), ADMIN);
        assertThat(p.reaches("team-a")).isFalse();
        assertThat(p.reaches("team-b")).isTrue();
        // Created again, it is a new namespace: the old token does not reach it.
        store.createNamespace("team-a", Quota.NONE);
        assertThat(store.authenticate(both.token(), ADMIN).reaches("team-a")).isFalse();
    }

    @Test
    void aWriterThatLostTheRaceConflictsAndTakesTheWinnersState() throws Exception {
        AccessStore first = open();
        AccessStore second = open();
        first.createNamespace("team-a", Quota.NONE);
        assertThatThrownBy(() -> second.createNamespace("team-b", Quota.NONE)).isInstanceOf(AccessException.class)
                .hasMessageContaining("changed by another gateway");
        assertThat(second.namespace("team-a")).isPresent();
        second.createNamespace("team-b", Quota.NONE);
        assertThat(open().namespaces()).extracting(AccessStore.NamespaceEntry::name)
                .containsExactly("default", "team-a", "team-b");
    }

    @Test
    void aRefreshTakesWhatAnotherGatewayWrote() throws Exception {
        AccessStore first = open();
        AccessStore second = open();
        first.createNamespace("team-a", Quota.NONE);
        AccessStore.Issued issued = first.issue(List.of("team-a"), null, null);
        assertThat(refused(second, issued.token()).getMessage()).contains("no token with id");
        second.refresh();
        assertThat(second.authenticate(issued.token(), ADMIN).reaches("team-a")).isTrue();
        first.revoke(issued.entry().id());
        second.refresh();
        assertThat(refused(second, issued.token()).getMessage()).contains("was revoked at");
    }

    @Test
    void anUnreadableDocumentIsNeverTakenForNoTokens() throws Exception {
        AccessStore store = open();
        store.createNamespace("team-a", Quota.NONE);
        AccessStore.Issued issued = store.issue(List.of("team-a"), null, null);
        Path doc = dir.resolve(AccessStore.documentKey(2));
        Files.writeString(doc.resolveSibling("0000000000000000003.json"), "{\"format\": 1, \"generation\": 3, ");
        AccessStore broken = new AccessStore(new DirectoryObjectStore(dir), KEY, clock);
        assertThatThrownBy(broken::load).isInstanceOf(StoreException.class).hasMessageContaining("malformed");
        AccessException e = refused(broken, issued.token());
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.getMessage()).contains("cannot be read");
        assertThat(broken.authenticate(ADMIN, ADMIN).admin()).isTrue();
        assertThatThrownBy(() -> broken.createNamespace("team-b", Quota.NONE)).hasMessageContaining("cannot be read");
    }

    @Test
    void quotasNameTheLimitAndLetARedeployThatAsksForNoMorePass() {
        Quota quota = new Quota(2, 10, 2048L);
        Quota.Usage one = Quota.Usage.ZERO.plus(new dev.thaw.control.functions.FunctionSettings(1, 4, 0, 0, 0), 256);
        assertThat(quota.exceeded("team-a", one, one.plus(fs(4), 256))).isEmpty();
        Quota.Usage two = one.plus(fs(4), 256);
        assertThat(quota.exceeded("team-a", two, two.plus(fs(1), 64)).orElseThrow())
                .contains("functions quota: 2 function(s) at most");
        assertThat(quota.exceeded("team-a", one, one.plus(fs(7), 64)).orElseThrow())
                .contains("instances quota").contains("add up to 10").contains("would make 11");
        assertThat(quota.exceeded("team-a", one, one.plus(fs(6), 1024)).orElseThrow())
                .contains("memory quota").contains("2048 MiB");
        // Over a quota lowered after the fact, the same usage again passes; more does not.
        Quota lowered = new Quota(1, 2, 100L);
        assertThat(lowered.exceeded("team-a", two, two)).isEmpty();
        assertThat(lowered.exceeded("team-a", two, two.plus(fs(1), 64))).isPresent();
        assertThat(Quota.NONE.exceeded("team-a", Quota.Usage.ZERO, two.plus(fs(1000), 16384))).isEmpty();
    }

    private static dev.thaw.control.functions.FunctionSettings fs(int maxInstances) {
        return new dev.thaw.control.functions.FunctionSettings(1, maxInstances, 0, 0, 0);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
