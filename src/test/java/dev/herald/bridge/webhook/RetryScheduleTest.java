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

    @RepeatedTest(20)
    void jitterSpreadsWithinItsBounds() {
        Duration wait = new RetrySchedule(DELAYS, 0.2, Duration.ofHours(1)).after(2, null);
        assertThat(wait).isBetween(Duration.ofSeconds(240), Duration.ofSeconds(360));
    }
}
