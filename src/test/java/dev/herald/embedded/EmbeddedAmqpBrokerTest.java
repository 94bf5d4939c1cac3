package dev.herald.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.herald.testing.AmqpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedAmqpBrokerTest {

    @TempDir
    Path dir;

    @Test
    void aQueueNobodyReadsKeepsOnlyTheNewestMessagesUpToTheLimit() throws Exception {
        try (EmbeddedAmqpBroker broker = new EmbeddedAmqpBroker(dir, 0, 5).start();
                AmqpClient client = new AmqpClient(broker.url())) {
            Channel channel = client.channel();
            channel.queueDeclare("unread", true, false, false, null);
            channel.confirmSelect();
            for (int i = 1; i <= 12; i++) {
                channel.basicPublish("", "unread", null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);

            assertThat(channel.messageCount("unread")).isEqualTo(5);
            List<String> kept = new ArrayList<>();
            GetResponse message;
            while ((message = channel.basicGet("unread", true)) != null) {
                kept.add(new String(message.getBody(), StandardCharsets.UTF_8));
            }
            assertThat(kept).containsExactly("m8", "m9", "m10", "m11", "m12");
        }
    }
}
