package dev.thaw.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
    private final Deadlines deadlines = new Deadlines("test-deadlines", System::nanoTime);

    @Test
    void aDeadlineFiresOnceItPasses() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        deadlines.after(TimeUnit.MILLISECONDS.toNanos(50), fired::countDown);
        assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anEarlierDeadlineAddedLaterWakesTheTimer() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch fired = new CountDownLatch(1);
        Deadlines.Deadline late = deadlines.after(TimeUnit.MINUTES.toNanos(10), () -> order.add("late"));
        deadlines.after(TimeUnit.MILLISECONDS.toNanos(20), () -> {
            order.add("early");
            fired.countDown();
        });
        assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).containsExactly("early");
        assertThat(late.cancel()).isTrue();
    }

    @Test
    void aCancelledDeadlineNeverFires() throws Exception {
        List<String> fired = new CopyOnWriteArrayList<>();
        Deadlines.Deadline cancelled = deadlines.after(TimeUnit.MILLISECONDS.toNanos(30), () -> fired.add("cancelled"));
        assertThat(cancelled.cancel()).isTrue();
        CountDownLatch after = new CountDownLatch(1);
        deadlines.after(TimeUnit.MILLISECONDS.toNanos(60), after::countDown);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fired).isEmpty();
        assertThat(cancelled.cancel()).isFalse();
    }

    @Test
    void aDeadlineThatFiredCannotBeCancelled() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        Deadlines.Deadline deadline = deadlines.after(1, fired::countDown);
        assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(deadline.cancel()).isFalse();
    }
}
