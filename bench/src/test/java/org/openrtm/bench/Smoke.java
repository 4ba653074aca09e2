package org.openrtm.bench;

import org.openrtm.bench.broker.MosquittoProcess;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.report.Report;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a scenario with tiny sizes and checks only what every smoke run must show: everything arrived. */
final class Smoke {

    private Smoke() {
    }

    /** Runs the command with small brokers and a results folder under target/, and returns its report. */
    static Report run(final String... args) {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--reps", "1", "--broker-heap", "384m",
                "--results", System.getProperty("rtm.bench.results", "target/it-results")));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final BenchMain.Outcome o = BenchMain.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        final String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(o.code()).as(printed).isZero();
        assertThat(o.report()).as(printed).isNotNull();
        assertThat(o.json()).isNotNull();
        assertThat(Files.isRegularFile(o.json())).isTrue();
        return o.report();
    }

    /**
     * Every broker that should run did (Mosquitto: exactly when a binary exists), no repetition failed, and each
     * named figure of each broker has every sent message accepted and delivered, with nothing refused.
     */
    static void assertEverythingArrived(final Report report, final Set<String> messageFigures) {
        for (final Report.TargetInfo t : report.targets()) {
            if (t.target() == Target.MOSQUITTO && MosquittoProcess.find() == null) {
                assertThat(t.status()).startsWith("skipped");
            } else {
                assertThat(t.status()).as(t.target().id()).isEqualTo("ok");
            }
        }
        final long ran = report.targets().stream().filter(t -> t.status().equals("ok")).count();
        assertThat(report.runs()).hasSize((int) ran);
        for (final Report.Run r : report.runs()) {
            assertThat(r.error()).as(r.target().id()).isNull();
            for (final Figure f : r.figures()) {
                if (messageFigures.contains(f.name())) {
                    assertThat(f.sent()).as(r.target().id() + " " + f.name()).isPositive();
                    assertThat(f.failed()).as(r.target().id() + " " + f.name() + " " + f.statuses()).isZero();
                    assertThat(f.acked()).as(r.target().id() + " " + f.name()).isEqualTo(f.sent());
                    assertThat(f.delivered()).as(r.target().id() + " " + f.name() + " " + f.note()).isEqualTo(f.sent());
                    assertThat(f.ok()).as(r.target().id() + " " + f.name() + " " + f.note()).isTrue();
                }
            }
        }
    }
}
