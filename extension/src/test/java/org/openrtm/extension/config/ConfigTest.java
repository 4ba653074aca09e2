package org.openrtm.extension.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void defaults_matchTheProtocol() {
        final RtmConfig c = RtmConfig.defaults();
        assertThat(c.get(Settings.MAX_PAYLOAD_BYTES)).isEqualTo(8192);
        assertThat(c.get(Settings.RATE_PER_SECOND)).isEqualTo(100);
        assertThat(c.get(Settings.OFFLINE_MAX_MESSAGES)).isEqualTo(200);
        assertThat(c.get(Settings.OFFLINE_TTL)).isEqualTo(Duration.ofDays(7));
        assertThat(c.get(Settings.DEDUP_WINDOW)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void values_areParsedWithUnits() throws Exception {
        final RtmConfig c = RtmConfig.of(Map.of("offline.ttl", "36h", "limits.max-payload-bytes", "1_024",
                "access.non-rtm-topics", "deny", "store.sync-interval", "250ms"));
        assertThat(c.get(Settings.OFFLINE_TTL)).isEqualTo(Duration.ofHours(36));
        assertThat(c.get(Settings.MAX_PAYLOAD_BYTES)).isEqualTo(1024);
        assertThat(c.get(Settings.NON_RTM_TOPICS)).isEqualTo("deny");
        assertThat(c.get(Settings.STORE_SYNC_INTERVAL)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void everyError_isReportedAtOnce_namingKeyRuleAndValue() {
        final ConfigException e = catchThrowableOfType(ConfigException.class, () -> RtmConfig.of(Map.of(
                "limits.max-payload-bytes", "0",
                "offline.ttl", "forever",
                "access.non-rtm-topics", "maybe",
                "limits.rate-per-secnd", "10")));
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "limits.max-payload-bytes must be between 1 and 268435455, but was '0'",
                "offline.ttl must be a duration such as 500ms, 30s, 10m, 24h or 7d, but was 'forever'",
                "access.non-rtm-topics must be one of allow, deny, but was 'maybe'",
                "unknown key 'limits.rate-per-secnd' (see docs/configuration.md for the keys)");
    }

    @Test
    void load_readsAPropertiesFile_andReportsAMissingFile(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("rtm.properties");
        Files.writeString(file, "# comment\noffline.max-messages = 3\n", StandardCharsets.UTF_8);
        assertThat(RtmConfig.load(file).get(Settings.OFFLINE_MAX_MESSAGES)).isEqualTo(3);
        assertThatThrownBy(() -> RtmConfig.load(dir.resolve("nope.properties")))
                .hasMessageContaining("nope.properties does not exist");
    }

    @Test
    void durations_roundTrip() {
        for (final String text : new String[] {"7d", "36h", "10m", "30s", "250ms", "0s"}) {
            assertThat(Setting.formatDuration(Setting.parseDuration(text))).isEqualTo(text);
        }
        assertThat(Setting.parseDuration("10 minutes")).isNull();
        assertThat(Setting.parseDuration("m")).isNull();
    }

    @Test
    void shippedDefaultFile_isTheRenderedOne_andLoads() throws Exception {
        final Path shipped = Path.of("src/hivemq-extension/conf/rtm.properties");
        assertThat(Files.readString(shipped, StandardCharsets.UTF_8))
                .as("regenerate with ConfigDocs (see its Javadoc)").isEqualTo(ConfigDocs.propertiesFile());
        assertThat(RtmConfig.load(shipped).toString()).isEqualTo(RtmConfig.defaults().toString());
    }

    @Test
    void configurationDoc_listsEverySetting() throws Exception {
        final String doc = Files.readString(ROOT.resolve("docs/configuration.md"), StandardCharsets.UTF_8);
        assertThat(doc).as("regenerate with ConfigDocs (see its Javadoc)").isEqualTo(ConfigDocs.withTable(doc));
        for (final Setting<?> s : Settings.all()) {
            assertThat(doc).contains("`" + s.key() + "`");
        }
    }
}
