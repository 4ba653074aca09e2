package org.openrtm.extension.util;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding, for showing stored bytes as text when they are text. Stateless and thread-safe. */
public final class Utf8 {

    private Utf8() {
    }

    /** The bytes as text if they are valid UTF-8, otherwise {@code null}. */
    public static @Nullable String decodeOrNull(final byte @NotNull [] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (final CharacterCodingException e) {
            return null;
        }
    }
}
