package org.openrtm.bench;

import org.junit.jupiter.api.Test;
import org.openrtm.bench.history.HistoryBench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The history benchmark with tiny sizes: every append is stored and every query kind answers. */
class HistoryBenchIT {

    @Test
    void historyBenchmark_storesEveryAppend_andAnswersEveryQueryKind() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final HistoryBench.Result r = new HistoryBench(Options.parse(List.of("--messages", "3000", "--conversations", "10",
                "--queries", "20", "--window", "64", "--sync", "interval", "--checkpoint-interval", "300ms", "--results",
                System.getProperty("rtm.bench.results", "target/it-results")), HistoryBench.OPTIONS))
                .run(new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(r.appended()).isEqualTo(3000);
        assertThat(r.failedAppends()).isZero();
        assertThat(r.appendLatency().count()).isEqualTo(3000);
        assertThat(r.queryLatency()).containsOnlyKeys("newest", "next", "oldest", "minute");
        r.queryLatency().values().forEach(l -> assertThat(l.count()).isEqualTo(20));
        assertThat(r.averagePage()).isEqualTo(100.0); // 300 messages per conversation: every newest page is full
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("appends per second", "history.query");
    }
}
