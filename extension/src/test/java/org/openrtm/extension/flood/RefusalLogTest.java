package org.openrtm.extension.flood;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RefusalLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(RefusalLog.class);
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final AtomicLong clock = new AtomicLong(1_000);
    private Level before;

    @BeforeEach
    void capture() {
        before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        events.start();
        logger.addAppender(events);
    }

    @AfterEach
    void release() {
        logger.detachAppender(events);
        logger.setLevel(before);
    }

    @Test
    void atMostNLinesASecondAtInfo_theRestAtDebug_countedWithTheNextLineOrAFlush() {
        final RefusalLog refusals = new RefusalLog(2, clock::get);
        for (int i = 0; i < 5; i++) {
            refusals.publish("eve", "rtm/user/bob/inbox/alice", "forbidden", "not your sender level");
        }
        assertThat(lines(Level.INFO)).containsExactly(
                "Publish from 'eve' to 'rtm/user/bob/inbox/alice' refused (forbidden): not your sender level",
                "Publish from 'eve' to 'rtm/user/bob/inbox/alice' refused (forbidden): not your sender level");
        assertThat(lines(Level.DEBUG)).hasSize(3);
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(refusals.flush()).as("the second is not over").isZero();
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(600));
        refusals.login("mallory", "BAD_USER_NAME_OR_PASSWORD", "token is not a JWT");
        assertThat(lines(Level.INFO)).hasSize(4).element(2).asString()
                .startsWith("3 more refusals were not logged at INFO (log.refusals-per-second is 2");
        assertThat(lines(Level.INFO).get(3))
                .isEqualTo("Login of 'mallory' refused (BAD_USER_NAME_OR_PASSWORD): token is not a JWT");
        // the tail of a burst is reported by the upkeep's flush
        refusals.login("mallory", "BAD_USER_NAME_OR_PASSWORD", "x");
        refusals.login("mallory", "BAD_USER_NAME_OR_PASSWORD", "x");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(30));
        assertThat(refusals.flush()).isEqualTo(1);
        assertThat(refusals.flush()).isZero();
    }

    @Test
    void zeroPerSecond_logsAtDebugOnly_andControlCharactersAreEscaped() {
        final RefusalLog refusals = new RefusalLog(0, clock::get);
        refusals.login("a\u0001b", "CLIENT_IDENTIFIER_NOT_VALID", "bad uid");
        assertThat(lines(Level.INFO)).isEmpty();
        assertThat(lines(Level.DEBUG)).hasSize(1).first().asString().doesNotContain("\u0001");
        assertThatThrownBy(() -> new RefusalLog(-1, clock::get)).hasMessage("perSecond must be 0 or more, but was -1");
    }

    private List<String> lines(final Level level) {
        synchronized (events) {
            return events.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
