package dev.thaw.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.thaw.api.FileDigests;
import dev.thaw.http.ClientOptions;
import dev.thaw.snapshot.store.DirectoryObjectStore;
import dev.thaw.snapshot.store.ObjectNotFoundException;
import dev.thaw.testkit.FakeClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunk reads through peers before the store, over real HTTP against peers that misbehave the ways
 * a node can: too slow (hedged to the next source after the deadline), dying mid-answer, serving
 * corrupt bytes (marked bad for a while, by the injected clock).
 */
class SourcedObjectStoreTest {
    private static final Duration DEADLINE = Duration.ofMillis(300);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final FakeClock clock = new FakeClock();
    private final PeerHealth health = new PeerHealth(clock, Duration.ofSeconds(60));
    private final SourceCounters counters = new SourceCounters();

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private record Chunk(String digest, byte[] frame) {
        String key() {
            return "chunks/" + digest;
        }
    }

    private static Chunk chunk(String text) {
        byte[] raw = text.repeat(1000).getBytes(StandardCharsets.UTF_8);
        return new Chunk(FileDigests.sha256Hex(ByteBuffer.wrap(raw)), Zstd.compress(raw));
    }

    private static List<Chunk> chunks(String prefix, int count) {
        List<Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chunks.add(chunk(prefix + " " + i));
        }
        return chunks;
    }

    /** Serves each of {@code chunks} by its digest. */
    private static Function<String, Answer> serving(List<Chunk> chunks) {
        Map<String, byte[]> frames = new HashMap<>();
        chunks.forEach(c -> frames.put(c.digest(), c.frame()));
        return d -> serve(frames.get(d));
    }

    /** Answers 404 for every chunk: a node that holds none of them. */
    private static Answer notHeld() {
        return exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        };
    }

    /** A peer on loopback answering chunk requests with {@code answer}; counts the requests. */
    private PeerObjectStore peer(String name, AtomicInteger requests, Function<String, Answer> answer)
            throws IOException {
        return peer(name, requests, answer, Duration.ofSeconds(10));
    }

    /** As above, with a deadline per read: short only where a test waits for it (a first call warms up slowly). */
    private PeerObjectStore peer(String name, AtomicInteger requests, Function<String, Answer> answer,
            Duration deadline) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/peer/chunks/", exchange -> {
            requests.incrementAndGet();
            String digest = exchange.getRequestURI().getPath().substring("/v1/peer/chunks/".length());
            answer.apply(digest).send(exchange);
        });
        server.start();
        open.add(() -> server.stop(0));
        PeerObjectStore store = new PeerObjectStore(name, URI.create("http://127.0.0.1:" + server.getAddress()
                .getPort()), "peer:me:" + "0".repeat(64), ClientOptions.of(Duration.ofSeconds(1)), deadline);
        open.add(store);
        return store;
    }

    @FunctionalInterface
    private interface Answer {
        void send(HttpExchange exchange) throws IOException;
    }

    private static Answer serve(byte[] body) {
        return exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
    }

    private Answer stall() {
        return exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        };
    }

    /** Promises the whole frame, sends half of it, and drops the connection: a peer that died mid-transfer. */
    private static Answer dieHalfway(byte[] body) {
        return exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(body, 0, body.length / 2);
            out.flush();
            exchange.getHttpContext().getServer().stop(0);
        };
    }

    private DirectoryObjectStore origin(Chunk... chunks) throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(tmp.resolve("store"));
        for (Chunk c : chunks) {
            store.put(c.key(), c.frame());
        }
        return store;
    }

    @Test
    void aSlowPeerIsHedgedToTheStoreAfterItsDeadlineAndThenSkipped() throws Exception {
        Chunk c = chunk("slow");
        AtomicInteger asked = new AtomicInteger();
        PeerObjectStore slow = peer("slow", asked, d -> stall(), DEADLINE);
        SourcedObjectStore sourced = new SourcedObjectStore(List.of(slow), origin(c), health, counters);

        assertThat(sourced.get(c.key())).isEqualTo(c.frame());
        assertThat(counters.snapshot().peerFailures()).isEqualTo(1);
        assertThat(counters.snapshot().s3Chunks()).isEqualTo(1);
        assertThat(health.healthy("slow")).isFalse();

        assertThat(sourced.get(c.key())).isEqualTo(c.frame());
        assertThat(asked.get()).isEqualTo(1); // skipped while its penalty runs
    }

    @Test
    void aPeerThatDiesMidTransferIsLeftForTheNextPeer() throws Exception {
        Chunk c = chunk("dies");
        PeerObjectStore dying = peer("a-dying", new AtomicInteger(), d -> dieHalfway(c.frame()));
        PeerObjectStore good = peer("b-good", new AtomicInteger(), d -> serve(c.frame()));
        // Both orders are tried by rendezvous over many digests; here the store lacks the chunk, so only a peer can
        // answer: whichever is asked first, the good one ends up serving it.
        SourcedObjectStore sourced = new SourcedObjectStore(List.of(dying, good), origin(), health, counters);

        assertThat(sourced.get(c.key())).isEqualTo(c.frame());
        assertThat(counters.snapshot().peerChunks()).isEqualTo(1);
        assertThat(counters.snapshot().s3Chunks()).isZero();
    }

    @Test
    void aCorruptChunkMarksThePeerBadForAWhileAndComesFromElsewhere() throws Exception {
        Chunk c = chunk("corrupt");
        Chunk other = chunk("other");
        AtomicInteger asked = new AtomicInteger();
        PeerObjectStore liar = peer("liar", asked, d -> serve(other.frame()));
        SourcedObjectStore sourced = new SourcedObjectStore(List.of(liar), origin(c), health, counters);

        assertThat(sourced.get(c.key())).isEqualTo(c.frame());
        assertThat(counters.snapshot().peerCorrupt()).isEqualTo(1);
        assertThat(health.healthy("liar")).isFalse();
        sourced.get(c.key());
        assertThat(asked.get()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(61)); // the penalty is over: it is asked again
        assertThat(health.healthy("liar")).isTrue();
        sourced.get(c.key());
        assertThat(asked.get()).isEqualTo(2);
        assertThat(counters.snapshot().peerCorrupt()).isEqualTo(2);
    }

    @Test
    void aPeerThatLacksAChunkIsAskedLastForTheRestOfTheStart() throws Exception {
        List<Chunk> chunks = chunks("part", 20);
        AtomicInteger toPartial = new AtomicInteger();
        AtomicInteger toWhole = new AtomicInteger();
        PeerObjectStore partial = peer("node-partial", toPartial, d -> notHeld());
        PeerObjectStore whole = peer("node-whole", toWhole, serving(chunks));
        SourcedObjectStore sourced = new SourcedObjectStore(List.of(partial, whole), origin(), health, counters);
        for (Chunk c : chunks) {
            assertThat(sourced.get(c.key())).isEqualTo(c.frame());
        }
        assertThat(toPartial.get()).isEqualTo(1); // its first 404 put it behind the holder
        assertThat(toWhole.get()).isEqualTo(20);
        assertThat(health.healthy("node-partial")).isTrue(); // lacking a chunk is no failure
        assertThat(counters.snapshot().s3Chunks()).isZero();
    }

    @Test
    void aPeerSkippedForAFailureIsTheLastSourceWhenTheStoreLacksTheChunk() throws Exception {
        Chunk c = chunk("not published yet");
        AtomicInteger asked = new AtomicInteger();
        PeerObjectStore holder = peer("node-holder", asked, d -> serve(c.frame()));
        health.bad("node-holder", "missed its deadline a moment ago");
        SourcedObjectStore sourced = new SourcedObjectStore(List.of(holder), origin(), health, counters);

        assertThat(sourced.get(c.key())).isEqualTo(c.frame());
        assertThat(asked.get()).isEqualTo(1);
        assertThat(counters.snapshot().peerChunks()).isEqualTo(1);
        // A chunk that no source has is still refused as missing.
        assertThatThrownBy(() -> sourced.get(chunk("nowhere").key())).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void wholeHoldersAreAskedBeforePartialOnesFromTheFirstChunk() throws Exception {
        List<Chunk> chunks = chunks("held", 20);
        AtomicInteger toPartial = new AtomicInteger();
        AtomicInteger toWhole = new AtomicInteger();
        PeerObjectStore partial = peer("node-partial", toPartial, d -> notHeld());
        PeerObjectStore whole = peer("node-whole", toWhole, serving(chunks));
        SourcedObjectStore sourced = new SourcedObjectStore(List.of(partial, whole), Set.of("node-whole"),
                origin(), health, counters);
        for (Chunk c : chunks) {
            assertThat(sourced.get(c.key())).isEqualTo(c.frame());
        }
        assertThat(toPartial.get()).isZero(); // not even one 404 while the whole holder serves
        assertThat(toWhole.get()).isEqualTo(20);
        assertThat(counters.snapshot().s3Chunks()).isZero();
    }

    @Test
    void rendezvousOrderSpreadsChunksOverTheHolders() throws Exception {
        List<Chunk> chunks = chunks("chunk", 40);
        AtomicInteger toA = new AtomicInteger();
        AtomicInteger toB = new AtomicInteger();
        PeerObjectStore a = peer("node-a", toA, serving(chunks));
        PeerObjectStore b = peer("node-b", toB, serving(chunks));
        SourcedObjectStore sourced = new SourcedObjectStore(List.of(a, b), origin(), health, counters);
        for (Chunk c : chunks) {
            assertThat(sourced.get(c.key())).isEqualTo(c.frame());
        }
        // Each chunk from one peer (a pooled connection the server closed while idle may be asked twice).
        assertThat(counters.snapshot().peerChunks()).isEqualTo(40);
        assertThat(counters.snapshot().s3Chunks()).isZero();
        assertThat(toA.get()).isBetween(8, 33);
        assertThat(toB.get()).isBetween(8, 33);
        assertThat(counters.snapshot().peerBytes()).isEqualTo(sourced.peerBytes());
    }
}
