package org.openrtm.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.prop;

/**
 * The small overload of the normal suite: 50 clients each sending at 10 times the rate limit (here 5 publishes per
 * second, so 2,500 publishes per second in all) for 5 seconds. Each flooder gets {@code rate_limited}, the server
 * accepts no more than the limit allows, the broker stays up, and a well-behaved pair below the limit loses nothing
 * and keeps its latency. The 5,000-client version is {@code OverloadTool} (see docs/reliability.md).
 */
class OverloadIT {

    private static final Logger log = LoggerFactory.getLogger(OverloadIT.class);
    private static final int LIMIT = 5;
    private static final int CLIENTS = 50;
    private static final int SECONDS = 5;

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of("limits.rate-per-second",
            Integer.toString(LIMIT), "limits.rate-burst", Integer.toString(LIMIT),
            // this test is about the refusal path: flooders stay connected (FloodDisconnectIT has the disconnects)
            "limits.flood-refusals", "0"));

    @Test
    void flooders_areRateLimited_andAWellBehavedPairKeepsItsLatency() throws Exception {
        final Overload.Figures f = Overload.run(new Overload.Options("127.0.0.1", broker.port(), broker::token, CLIENTS,
                LIMIT, 10, Duration.ofSeconds(SECONDS), LIMIT / 2.0, 1, null));
        log.info("overload (small): {}", f);

        assertThat(f.connected()).isEqualTo(CLIENTS);
        assertThat(f.floodersLimited()).as("flooders that got rate_limited").isEqualTo(CLIENTS);
        assertThat(f.rateLimited() + f.accepted()).isEqualTo(f.attempted());
        assertThat(f.rateLimited()).isGreaterThan(f.attempted() / 2);
        // the bucket: a burst, then the rate, for the flood and the moments the last answers take
        assertThat(f.accepted()).isLessThanOrEqualTo((long) CLIENTS * (LIMIT + LIMIT * (SECONDS + 3)));
        assertThat(f.otherOutcomes()).as("answers other than rate_limited / unreachable").isEmpty();
        assertThat(f.disconnected()).as("flooders disconnected by the server").isEmpty();
        assertThat(f.pairSent()).isGreaterThan(10);
        assertThat(f.pairRateLimited()).isZero();
        assertThat(f.pairLost()).isZero();
        // the load generator shares this JVM and two cores with the broker: the bound catches a stalled broker, the
        // figure itself is logged (docs/reliability.md has the standalone tool's)
        assertThat(f.underFlood()[1]).as("pair p99 latency under flood, ms").isLessThan(5000);
        // the broker is up and answers a newcomer
        final var c = connect(broker, "after-flood");
        assertThat(prop(publish(c, "rtm/user/after-flood/inbox/after-flood", "still here"), "rtm-status"))
                .isIn("delivered", "cached");
        c.disconnect();
    }
}
