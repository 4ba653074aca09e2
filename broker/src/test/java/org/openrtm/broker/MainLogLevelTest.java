package org.openrtm.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --log-level}: sets OpenRTM's loggers and nothing else; an unknown level is a usage error. */
class MainLogLevelTest {

    @Test
    void logLevel_setsOpenRtmsLoggersOnly_andRefusesUnknownLevels() throws Exception {
        final Logger openrtm = (Logger) LoggerFactory.getLogger("org.openrtm");
        final Level before = openrtm.getLevel();
        final boolean hivemqInfo = LoggerFactory.getLogger("com.hivemq.SomeClass").isInfoEnabled();
        try {
            Main.logLevel("DEBUG");
            assertThat(LoggerFactory.getLogger("org.openrtm.extension.flood.RefusalLog").isDebugEnabled()).isTrue();
            Main.logLevel("warn");
            assertThat(LoggerFactory.getLogger("org.openrtm.broker.Main").isInfoEnabled()).isFalse();
            assertThat(LoggerFactory.getLogger("org.openrtm.broker.Main").isWarnEnabled()).isTrue();
            assertThat(LoggerFactory.getLogger("com.hivemq.SomeClass").isInfoEnabled()).isEqualTo(hivemqInfo);
            assertThatThrownBy(() -> Main.logLevel("loud")).isInstanceOf(Main.UsageException.class)
                    .hasMessage("--log-level must be one of error, warn, info, debug, trace, but was 'loud'");
        } finally {
            openrtm.setLevel(before);
        }
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = Main.run(new String[] {"--log-level", "loud"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--log-level must be one of").contains("Usage:");
    }
}
