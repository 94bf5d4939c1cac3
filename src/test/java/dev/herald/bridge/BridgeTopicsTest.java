package dev.herald.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rule alone: declared topics by default, less exclusions; an explicit setting taken as written. */
class BridgeTopicsTest {

    private static final Set<String> DECLARED = Set.of("orders", "customers", "products");

    @Test
    void byDefaultEveryDeclaredTopic() {
        BridgeTopics selected = BridgeTopics.select("herald.rabbitmq.topics", "", DECLARED, "");
        assertThat(selected.topics()).containsExactly("customers", "orders", "products");
        assertThat(selected.reason()).isEqualTo("declared by the commands");
    }

    @Test
    void exclusionsAreTakenOutAndOnesMatchingNothingAreNamed() {
        BridgeTopics selected = BridgeTopics.select("herald.rabbitmq.topics", "", DECLARED, " products, prodcts ,");
        assertThat(selected.topics()).containsExactly("customers", "orders");
        assertThat(selected.reason()).contains("less excluded [products]").contains("declared by no command: [prodcts]");
    }

    @Test
    void anExplicitSettingWinsAsWrittenWithoutExclusions() {
        BridgeTopics selected = BridgeTopics.select("herald.webhooks.topics", " orders, partner-feed,orders", DECLARED,
                "orders");
        assertThat(selected.topics()).containsExactly("orders", "partner-feed");
        assertThat(selected.reason()).isEqualTo("set by herald.webhooks.topics");
    }

    @Test
    void nothingDeclaredOrAllExcludedLeavesNothing() {
        assertThat(BridgeTopics.select("herald.rabbitmq.topics", " ", Set.of(), "").topics()).isEmpty();
        assertThat(BridgeTopics.select("herald.rabbitmq.topics", "", Set.of("orders"), "orders").topics()).isEmpty();
    }
}
