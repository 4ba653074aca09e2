package org.openrtm.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BenchMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private BenchMain.Outcome run(final String... args) {
        return BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void badOptions_areUsageErrors_beforeAnyBrokerStarts() {
        assertThat(run("peer", "--pairs", "0").code()).isEqualTo(2);
        assertThat(run("fleet", "--subscriptions", "inbox,outbox").code()).isEqualTo(2);
        assertThat(run("offline", "--rates", "1000").code()).isEqualTo(2);
        assertThat(run("nosuch").code()).isEqualTo(2);
        assertThat(run("fanout", "--lists", "all,some").code()).isEqualTo(2);
        assertThat(run("presence", "--watchers", "0").code()).isEqualTo(2);
        assertThat(run("peer", "--history", "maybe").code()).isEqualTo(2);
        assertThat(run("history", "--sync", "sometimes").code()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--pairs must be between 1 and 10000, but was 0")
                .contains("--subscriptions must list kinds among [channel, event, inbox, presence], but had 'outbox'")
                .contains("unknown option '--rates'")
                .contains("unknown scenario 'nosuch'")
                .contains("--lists must name kinds among [all, except, only], but had 'some'")
                .contains("--watchers must be between 1 and 10000, but was 0")
                .contains("--history must be on, off or both, but was 'maybe'")
                .contains("--sync must be always, interval or never, but was 'sometimes'");
    }

    @Test
    void help_listsEveryScenario() {
        assertThat(run("--help").code()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("peer", "fanout", "fleet", "presence", "offline", "history");
    }
}
