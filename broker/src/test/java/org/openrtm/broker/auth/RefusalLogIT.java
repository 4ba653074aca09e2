package org.openrtm.broker.auth;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.extension.flood.RefusalLog;
import org.openrtm.protocol.Role;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.connectWithToken;
import static org.openrtm.broker.testing.Clients.mqtt5;
import static org.openrtm.broker.testing.Clients.publish;

/** Refused logins and publishes are logged at INFO, at most log.refusals-per-second lines a second, without secrets. */
class RefusalLogIT {

    private static final int PER_SECOND = 5;
    private static final Pattern SUPPRESSED = Pattern.compile("^(\\d+) more refusals were not logged");

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "log.refusals-per-second", Integer.toString(PER_SECOND)));

    private final Logger logger = (Logger) LoggerFactory.getLogger(RefusalLog.class);
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private Level before;

    @BeforeEach
    void capture() {
        before = logger.getLevel();
        logger.setLevel(Level.INFO);
        events.start();
        logger.addAppender(events);
    }

    @AfterEach
    void release() {
        logger.detachAppender(events);
        logger.setLevel(before);
    }

    @Test
    void aRefusedLogin_isLoggedAtInfo_withUidAndReason_butNotTheToken() {
        final String foreign = new Tokens("another-deployments-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC(), Duration.ZERO).mint("rl-mallory", Role.USER, Duration.ofHours(1));
        final Mqtt5BlockingClient c = mqtt5(broker, "rl-mallory");
        catchThrowableOfType(Mqtt5ConnAckException.class, () -> connectWithToken(c, foreign));
        await().atMost(Duration.ofSeconds(5)).until(() -> !info("Login of").isEmpty());
        final String line = info("Login of").get(0);
        assertThat(line).contains("'rl-mallory'").contains("refused (BAD_USER_NAME_OR_PASSWORD)");
        assertThat(logged()).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(m -> m.contains(foreign) || m.contains(foreign.substring(foreign.lastIndexOf('.') + 1)));
    }

    @Test
    void refusedPublishes_areLoggedAtInfo_atMostNLinesASecond_andTheRestAreCounted() throws Exception {
        final Mqtt5BlockingClient eve = connect(broker, "rl-eve");
        final int burst = 60;
        final long start = System.nanoTime();
        for (int i = 0; i < burst; i++) {
            // another user's sender level: forbidden
            assertThat(publish(eve, "rtm/user/rl-bob/inbox/rl-alice", "secret-payload-" + i).getReasonCode().isError())
                    .isTrue();
        }
        final long afterBurst = System.nanoTime();
        final long seconds = Duration.ofNanos(afterBurst - start).toSeconds();
        // one more refusal in a later window reports what the earlier ones left out
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - afterBurst > 1_100_000_000L);
        publish(eve, "rtm/user/rl-bob/inbox/rl-alice", "last");
        await().atMost(Duration.ofSeconds(5)).until(() -> info("Publish from").size() + suppressedTotal() == burst + 1);

        final List<String> lines = info("Publish from");
        assertThat(lines.size()).as("INFO lines for %d refusals in about %d s", burst, seconds + 1)
                .isLessThanOrEqualTo(PER_SECOND * (int) (seconds + 2));
        assertThat(suppressedTotal()).isGreaterThan(0);
        assertThat(lines.get(0)).contains("'rl-eve'").contains("'rtm/user/rl-bob/inbox/rl-alice'").contains("(forbidden)");
        assertThat(logged()).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("secret-payload"));
        eve.disconnect();
    }

    /** The appender appends under its own monitor (logback's AppenderBase): read a copy under it too. */
    private List<ILoggingEvent> logged() {
        synchronized (events) {
            return List.copyOf(events.list);
        }
    }

    private List<String> info(final String prefix) {
        return logged().stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith(prefix)).toList();
    }

    private long suppressedTotal() {
        long n = 0;
        for (final ILoggingEvent e : logged()) {
            final Matcher m = SUPPRESSED.matcher(e.getFormattedMessage());
            if (m.find()) {
                n += Long.parseLong(m.group(1));
            }
        }
        return n;
    }
}
