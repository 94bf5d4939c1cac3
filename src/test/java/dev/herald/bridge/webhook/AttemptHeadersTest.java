package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.http.JsonBodies;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An attempt's request headers, as the recorder writes them for webhook_attempts.request_headers: no hub. */
class AttemptHeadersTest {

    @Test
    void theHeadersAreOneJsonObjectWhateverTheirValuesHold() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(Map.of("x-tenant", "say \"hi\" \\ back",
                "x-lines", "one\ntwo\tthree\u0001", "x-unicode", "Grüße, 東京 \uD83D\uDE00",
                "content-type", "application/cloudevents+json; charset=utf-8",
                "webhook-signature", "v1,abc+/= v1,def", "", ""));

        String json = AttemptRecorder.headersJson(headers);

        assertThat(JsonBodies.MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { }))
                .isEqualTo(headers);
        // what the generic mapper wrote before, as a value
        assertThat(JsonBodies.MAPPER.readTree(json)).isEqualTo(JsonBodies.MAPPER.valueToTree(headers));
    }

    @Test
    void noHeadersIsAnEmptyObject() {
        assertThat(AttemptRecorder.headersJson(Map.of())).isEqualTo("{}");
    }
}
