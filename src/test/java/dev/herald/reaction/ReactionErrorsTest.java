package dev.herald.reaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** Which failures a reaction gives up on (dead letter) and which it retries, by its failure policy. */
class ReactionErrorsTest {

    private final ReactionErrors errors = new ReactionErrors(null, null);

    @Test
    void aSkipReactionGivesUpOnWhatCanNeverBeAppliedOnly() {
        assertThat(errors.refusedForGood(failed("skip", new InboundRejected("not a CloudEvent")))).isTrue();
        assertThat(errors.refusedForGood(failed("skip", new IllegalArgumentException("jq: cannot index string"))))
                .isTrue();
        assertThat(errors.refusedForGood(failed("skip", new NotAppliedNow("503 database-unavailable", null))))
                .as("not now: retried").isFalse();
        assertThat(errors.refusedForGood(failed("skip",
                new IllegalStateException("inbox", new SQLException("connection refused", "08001")))))
                .as("the database down: retried").isFalse();
    }

    @Test
    void aBlockReactionGivesUpOnNothing() {
        assertThat(errors.refusedForGood(failed("block", new InboundRejected("not a CloudEvent")))).isFalse();
    }

    private static Exchange failed(String policy, Exception failure) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(InboundEndpoint.FAILURE_PROPERTY, policy);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
        return exchange;
    }
}
