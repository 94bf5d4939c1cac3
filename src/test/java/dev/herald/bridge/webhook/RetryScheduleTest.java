package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Entry n of the schedule is the wait after n failed attempts; Retry-After wins, capped; jitter stays in bounds. */
class RetryScheduleTest {

    private static final List<Duration> DELAYS = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5));

    @Test
    void waitsAsScheduledAndStopsWhenTheScheduleIsSpent() {
        RetrySchedule schedule = new RetrySchedule(DELAYS, 0, Duration.ofHours(1));
        assertThat(schedule.maxAttempts()).isEqualTo(3);
        assertThat(schedule.after(1, null)).isEqualTo(Duration.ofSeconds(5));
        assertThat(schedule.after(2, null)).isEqualTo(Duration.ofMinutes(5));
        assertThat(schedule.after(3, null)).isNull();
    }

    @Test
    void aRetryAfterAnswerWinsButIsCapped() {
        RetrySchedule schedule = new RetrySchedule(DELAYS, 0.2, Duration.ofMinutes(10));
        assertThat(schedule.after(1, Duration.ofSeconds(42))).isEqualTo(Duration.ofSeconds(42));
        assertThat(schedule.after(1, Duration.ofHours(3))).isEqualTo(Duration.ofMinutes(10));
        assertThat(schedule.after(3, Duration.ofSeconds(1))).as("spent is spent, whatever the receiver asks").isNull();
    }

    @Test
    void aRetryAfterAtTheCapOrOfZeroIsTakenAsItIs() {
        RetrySchedule schedule = new RetrySchedule(DELAYS, 0.2, Duration.ofMinutes(10));
        assertThat(schedule.after(1, Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(10));
        assertThat(schedule.after(2, Duration.ZERO)).isEqualTo(Duration.ZERO);
    }

    @Test
    void anEmptyScheduleRetriesNothing() {
        RetrySchedule schedule = new RetrySchedule(List.of(), 0.2, Duration.ofHours(1));
        assertThat(schedule.maxAttempts()).isZero();
        assertThat(schedule.after(0, null)).isNull();
        assertThat(schedule.after(0, Duration.ofSeconds(1))).isNull();
    }

    @RepeatedTest(20)
    void aZeroDelayStaysZeroAndJitterNeverMakesAWaitNegative() {
        // a jitter over 1 would take two thirds of these waits below zero
        RetrySchedule schedule = new RetrySchedule(List.of(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1)), 3.0,
                Duration.ofHours(1));
        assertThat(schedule.after(1, null)).isEqualTo(Duration.ZERO);
        assertThat(schedule.after(2, null)).isBetween(Duration.ZERO, Duration.ofSeconds(4));
    }

    @RepeatedTest(20)
    void jitterSpreadsWithinItsBounds() {
        Duration wait = new RetrySchedule(DELAYS, 0.2, Duration.ofHours(1)).after(2, null);
        assertThat(wait).isBetween(Duration.ofSeconds(240), Duration.ofSeconds(360));
    }
}
