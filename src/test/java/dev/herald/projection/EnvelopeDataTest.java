package dev.herald.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A projection reads an envelope's data alone, skipping its other fields. */
class EnvelopeDataTest {

    @Test
    void theDataFieldIsReadWhereverItIs() throws Exception {
        assertThat(Projector.data("{\"id\":\"e\",\"data\":{\"total\":1.5,\"tags\":[\"a\"]},\"time\":{\"x\":[1]}}")
                .toString()).isEqualTo("{\"total\":1.5,\"tags\":[\"a\"]}");
        assertThat(Projector.data("{\"id\":{\"data\":1},\"data\":{\"n\":2}}").toString()).isEqualTo("{\"n\":2}");
        assertThat(Projector.data("{\"data\":null}").isNull()).isTrue();
        assertThat(Projector.data("{\"id\":\"e\"}").isMissingNode()).isTrue();
    }

    @Test
    void anEnvelopeThatIsNotAJsonObjectFails() {
        assertThatThrownBy(() -> Projector.data("[1]")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Projector.data("{\"id\":")).isInstanceOf(IOException.class);
    }
}
