package dev.thaw.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PageDiff} on real files: every page lands in exactly one class, at its address. */
class PageDiffTest {
    private static final int PAGE = PageDiff.PAGE_BYTES;
    private static final int REGION_PAGES = (int) (PageDiff.REGION_BYTES / PAGE);

    @TempDir
    Path tmp;

    @Test
    void classifiesEveryPageAgainstTheSameAddress() throws Exception {
        int pages = 2 * REGION_PAGES;
        byte[] first = new byte[pages * PAGE];
        new Random(1).nextBytes(first);
        Arrays.fill(first, 10 * PAGE, 20 * PAGE, (byte) 0); // pages 10..19 zero in the first
        byte[] second = first.clone();
        Arrays.fill(second, 30 * PAGE, 33 * PAGE, (byte) 0); // 3 pages freed
        System.arraycopy(first, 40 * PAGE, second, 41 * PAGE, PAGE); // page 41 holds page 40's bytes: moved
        second[(REGION_PAGES + 5) * PAGE + 7] ^= 1; // one byte changed in the second region
        second[12 * PAGE] = 1; // a page zero in the first now holds something new: changed
        Path a = Files.write(tmp.resolve("a"), first);
        Path b = Files.write(tmp.resolve("b"), second);

        PageDiff diff = PageDiff.of(a, b);

        assertThat(diff.pages()).isEqualTo(pages);
        assertThat(diff.zero()).isEqualTo(9);
        assertThat(diff.freed()).isEqualTo(3);
        assertThat(diff.moved()).isEqualTo(1);
        assertThat(diff.changed()).isEqualTo(2);
        assertThat(diff.same()).isEqualTo(pages - 9 - 3 - 1 - 2);
        assertThat(diff.zero() + diff.same() + diff.moved() + diff.freed() + diff.changed()).isEqualTo(pages);
        assertThat(diff.regions()).containsExactly(2L, 1L);
        assertThat(diff.describeRegions()).isEqualTo("0-8: 2, 8-16: 1");
    }

    @Test
    void identicalFilesDifferNowhere() throws Exception {
        byte[] bytes = new byte[64 * PAGE];
        new Random(2).nextBytes(bytes);
        Path a = Files.write(tmp.resolve("a"), bytes);
        Path b = Files.write(tmp.resolve("b"), bytes);

        PageDiff diff = PageDiff.of(a, b);

        assertThat(diff.same()).isEqualTo(64);
        assertThat(diff.differing()).isZero();
        assertThat(diff.describeRegions()).isEqualTo("none");
    }
}
