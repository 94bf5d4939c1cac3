package dev.herald.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Header values as the client wrote them. Vert.x decodes header bytes as ISO-8859-1 (HTTP's historical
 * charset), so a client sending UTF-8 ({@code 7c1d…}) reaches us as mojibake ({@code 7c1dâ¦}) and is echoed
 * back that way in problems.
 */
public final class HeaderText {

    private HeaderText() {
    }

    /**
     * The value re-read as UTF-8 when its ISO-8859-1 bytes are valid UTF-8; otherwise (plain ASCII, genuine
     * Latin-1 such as a lone {@code é}, or text already decoded beyond Latin-1) the value unchanged.
     */
    public static String utf8(String latin1Decoded) {
        if (latin1Decoded == null) {
            return null;
        }
        boolean ascii = true;
        for (int i = 0; i < latin1Decoded.length(); i++) {
            char c = latin1Decoded.charAt(i);
            if (c > 0xFF) {
                return latin1Decoded; // not bytes decoded as Latin-1: nothing to undo
            }
            ascii &= c < 0x80;
        }
        if (ascii) {
            return latin1Decoded;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(latin1Decoded.getBytes(StandardCharsets.ISO_8859_1)))
                    .toString();
        } catch (CharacterCodingException notUtf8) {
            return latin1Decoded;
        }
    }
}
