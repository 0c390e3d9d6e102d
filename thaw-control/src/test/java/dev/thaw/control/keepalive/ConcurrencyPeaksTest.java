package dev.thaw.control.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConcurrencyPeaksTest {
    @Test
    void thePeakIsTheMostRunningInTheLastMinutesAndOlderPeaksAge() {
        ConcurrencyPeaks peaks = new ConcurrencyPeaks(3);
        assertThat(peaks.peak(0)).isZero();
        peaks.record(10_000, 7);
        peaks.record(20_000, 2);
        peaks.record(70_000, 3);
        assertThat(peaks.peak(70_000)).isEqualTo(7);
        // Minute 0 is still in a 3-minute window at minute 2, not at minute 3.
        assertThat(peaks.peak(179_000)).isEqualTo(7);
        assertThat(peaks.peak(180_000)).isEqualTo(3);
        // Minute 3 reuses minute 0's slot: the old peak does not leak into it.
        peaks.record(181_000, 1);
        assertThat(peaks.peak(181_000)).isEqualTo(3);
        assertThat(peaks.peak(300_000)).isEqualTo(1);
        assertThat(peaks.peak(400_000)).isZero();
    }

    @Test
    void aWindowOutOfRangeIsRefused() {
        assertThatThrownBy(() -> new ConcurrencyPeaks(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConcurrencyPeaks(1441)).isInstanceOf(IllegalArgumentException.class);
    }
}
