package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Header values Vert.x decoded as ISO-8859-1 come back as the UTF-8 the client sent, and only then. */
class HeaderTextTest {

    @Test
    void utf8BytesReadAsLatin1AreReadAgainAsUtf8() {
        assertThat(HeaderText.utf8(asVertxDecodesIt("7c1d…"))).isEqualTo("7c1d…");
        assertThat(HeaderText.utf8("7c1d\u00e2\u0080\u00a6")).isEqualTo("7c1d…");
        assertThat(HeaderText.utf8(asVertxDecodesIt("clé-😀"))).isEqualTo("clé-😀");
    }

    @Test
    void everythingElseIsLeftAlone() {
        assertThat(HeaderText.utf8(null)).isNull();
        assertThat(HeaderText.utf8("")).isEmpty();
        assertThat(HeaderText.utf8("order-2024-0001")).isEqualTo("order-2024-0001");
        assertThat(HeaderText.utf8("caf\u00e9")).isEqualTo("café");          // Latin-1 é alone is not UTF-8
        assertThat(HeaderText.utf8("\u00c3")).isEqualTo("\u00c3");          // a truncated UTF-8 sequence
        assertThat(HeaderText.utf8("7c1d…")).isEqualTo("7c1d…");            // already decoded beyond Latin-1
    }

    private static String asVertxDecodesIt(String sent) {
        return new String(sent.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
