package org.openrtm.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The one command: the launcher starts its own broker, runs the examples, narrates, stops. */
class LauncherIT {

    @Test
    void all_runsEveryExampleOnAnEmbeddedBroker_andExitsZero() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = Examples.run(new String[] {"all"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(text).contains("=== watch-chat ===", "=== classroom ===", "=== smart-home ===", "=== car-remote ===",
                "=== whiteboard ===", "[watch] ana-phone: Where are you?",
                "[ms-rivera] privately from kim: Is 2/4 the same as 1/2?", "[app] 'kitchen light on': DELIVERED",
                "FAILED PEER_OFFLINE", "[laptop] joined late and redrew {circle=60, line=30}", "outcome: Outcome[");
    }

    @Test
    void anUnknownExample_isAUsageError() {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = Examples.run(new String[] {"teleporter"}, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown example 'teleporter'",
                "watch-chat, classroom, smart-home, car-remote, whiteboard");
    }
}
