package org.openrtm.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionsTest {

    private static final Set<String> KNOWN = Set.of("rates", "reps", "duration", "setting", "search");

    @Test
    void typedValues_areParsed_withThousandsSuffixesAndRepeatedSettings() {
        final Options o = Options.parse(List.of("--rates", "1k,10k", "--reps=5", "--duration", "250ms",
                "--setting", "a.b=1", "--setting", "c=2", "--search", "off"), KNOWN);

        assertThat(o.numbers("rates", List.of())).containsExactly(1_000.0, 10_000.0);
        assertThat(o.integer("reps", 3, 1, 10)).isEqualTo(5);
        assertThat(o.duration("duration", Duration.ofSeconds(1), Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(o.all("setting")).containsExactly("a.b=1", "c=2");
        assertThat(o.flag("search", true)).isFalse();
        assertThat(o.integer("missing", 7, 1, 10)).isEqualTo(7);
    }

    @Test
    void errors_nameTheOptionTheRuleAndTheValue() {
        assertThatThrownBy(() -> Options.parse(List.of("--ratez", "1"), KNOWN))
                .hasMessageContaining("unknown option '--ratez'");
        assertThatThrownBy(() -> Options.parse(List.of("--reps", "0"), KNOWN).integer("reps", 3, 1, 10))
                .hasMessage("--reps must be between 1 and 10, but was 0");
        assertThatThrownBy(() -> Options.parse(List.of("--duration", "soon"), KNOWN)
                .duration("duration", Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("--duration must be a duration").hasMessageContaining("'soon'");
        assertThatThrownBy(() -> Options.parse(List.of("--search", "maybe"), KNOWN).flag("search", true))
                .hasMessage("--search must be on or off, but was 'maybe'");
        assertThatThrownBy(() -> Options.parse(List.of("--reps"), KNOWN)).hasMessage("option --reps needs a value");
    }
}
