package dev.thaw.sandbox.qemu;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

class BoundedLogTest {

    private static void append(BoundedLog log, String text) {
        byte[] bytes = text.getBytes(ISO_8859_1);
        log.append(bytes, 0, bytes.length);
    }

    @Test
    void keepsEverythingUntilFull() {
        BoundedLog log = new BoundedLog(16);
        append(log, "one\ntwo\n");
        assertThat(new String(log.kept(), ISO_8859_1)).isEqualTo("one\ntwo\n");
        assertThat(log.tail(1)).isEqualTo("two");
        assertThat(log.tail(5)).isEqualTo("one\ntwo");
    }

    @Test
    void keepsOnlyTheLastBytesAndSaysHowManyWereDropped() {
        BoundedLog log = new BoundedLog(8);
        append(log, "abcdef");
        append(log, "ghij");
        assertThat(new String(log.kept(), ISO_8859_1)).isEqualTo("cdefghij");
        assertThat(log.total()).isEqualTo(10);
        append(log, "0123456789XY"); // longer than the ring at once
        assertThat(new String(log.kept(), ISO_8859_1)).isEqualTo("456789XY");
        assertThat(log.total()).isEqualTo(22);
        assertThat(log.tail(3)).startsWith("[14 earlier bytes dropped: only the last 8 are kept]").endsWith("456789XY");
    }

    @Test
    void drainsAStreamToItsEnd() {
        byte[] flood = "x".repeat(100_000).getBytes(ISO_8859_1);
        BoundedLog log = BoundedLog.drain(new ByteArrayInputStream(flood), 1024, "test-drain");
        log.awaitEnd(10_000);
        assertThat(log.total()).isEqualTo(100_000);
        assertThat(log.kept()).hasSize(1024);
    }
}
