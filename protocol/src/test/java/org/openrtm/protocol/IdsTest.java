package org.openrtm.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {

    @Test
    void validIds_acceptTheWholeAlphabet() {
        assertThat(Ids.isValidUid("Az09_-.@:~")).isTrue();
        assertThat(Ids.isValidUid("a".repeat(64))).isTrue();
        assertThat(Ids.isValidKey("k".repeat(32))).isTrue();
    }

    @Test
    void badIds_areRejectedWithRuleLimitAndValue() {
        assertThat(Ids.uidError("")).isEqualTo("uid must be 1 to 64 characters of A-Z a-z 0-9 _ - . @ : ~, but it was empty");
        assertThat(Ids.uidError(null)).contains("missing");
        assertThat(Ids.uidError("a".repeat(65))).contains("1 to 64").contains("65 characters long");
        assertThat(Ids.uidError("a/b")).contains("'a/b'").contains("character '/' at index 1");
        assertThat(Ids.uidError("a b")).contains("U+0020 at index 1");
        assertThat(Ids.uidError("a+")).contains("'+'");
        assertThat(Ids.uidError("a#")).contains("'#'");
        assertThat(Ids.uidError("$x")).contains("'$'");
        assertThat(Ids.uidError("é")).contains("'é'");
        assertThat(Ids.keyError("k".repeat(33), 32)).startsWith("attribute key must be 1 to 32 characters");
    }

    @Test
    void show_escapesControlCharactersAndShortensLongValues() {
        assertThat(Ids.show("a\nb")).isEqualTo("'a\\u000ab'");
        assertThat(Ids.show("x".repeat(200))).endsWith("... (200 characters)").hasSizeLessThan(110);
    }
}
