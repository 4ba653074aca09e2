package org.openrtm.bench;

import org.openrtm.bench.broker.MosquittoProcess;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.report.Report;
import org.openrtm.bench.scenario.Scenario;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs scenarios with tiny sizes on one set of brokers (started once, so that the smoke runs stay short) and checks
 * what every smoke run must show: everything arrived.
 */
final class Smoke {

    /** The common options of every smoke run: one repetition, small broker heaps, results under target/. */
    static final List<String> COMMON = List.of("--reps", "1", "--broker-heap", "384m", "--source-addresses", "2",
            "--history", "both", "--results", System.getProperty("rtm.bench.results", "target/it-results"));

    private Smoke() {
    }

    /** Runs the command line with small brokers and a results folder under target/, and returns its report. */
    static Report run(final String... args) {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--reps", "1", "--broker-heap", "384m",
                "--results", System.getProperty("rtm.bench.results", "target/it-results")));
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        final BenchMain.Outcome o = BenchMain.run(all.toArray(String[]::new),
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        final String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8)
                + err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(o.code()).as(printed).isZero();
        assertThat(o.report()).as(printed).isNotNull();
        assertThat(o.json()).isNotNull();
        assertThat(java.nio.file.Files.isRegularFile(o.json())).isTrue();
        return o.report();
    }

    /** Parses a scenario's options (its own plus the common ones). */
    static Options options(final Set<String> scenarioOptions, final String... args) {
        final Set<String> known = new HashSet<>(BenchRun.COMMON_OPTIONS);
        known.addAll(scenarioOptions);
        known.add("history");
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(COMMON);
        return Options.parse(all, known);
    }

    /** Runs the scenarios on brokers started once and returns their reports, in order. */
    static List<Report> runAll(final List<Scenario> scenarios) throws IOException {
        final Set<String> known = new HashSet<>(BenchRun.COMMON_OPTIONS);
        known.add("history");
        return new BenchRun(scenarios, Options.parse(COMMON, known), 200).runAll();
    }

    /**
     * Every broker that should run did (Mosquitto: exactly when a binary exists; h: only where the scenario compares
     * history), no repetition failed, and each named figure of each broker has every sent message accepted and
     * delivered, with nothing refused.
     */
    static void assertEverythingArrived(final Report report, final Set<String> messageFigures) {
        for (final Report.TargetInfo t : report.targets()) {
            if (t.target() == Target.MOSQUITTO && MosquittoProcess.find() == null) {
                assertThat(t.status()).startsWith("skipped");
            } else if (t.target() == Target.RTM_HISTORY_OFF && !report.scenario().equals("peer")) {
                assertThat(t.status()).startsWith("skipped");
            } else {
                assertThat(t.status()).as(t.target().id()).isEqualTo("ok");
            }
        }
        final long ran = report.targets().stream().filter(t -> t.status().equals("ok")).count();
        assertThat(report.runs()).hasSize((int) ran);
        for (final Report.Run r : report.runs()) {
            assertThat(r.error()).as(r.target().id()).isNull();
            final Set<String> names = new HashSet<>();
            for (final Figure f : r.figures()) {
                names.add(f.name());
                if (messageFigures.contains(f.name())) {
                    assertThat(f.sent()).as(r.target().id() + " " + f.name()).isPositive();
                    assertThat(f.failed()).as(r.target().id() + " " + f.name() + " " + f.statuses()).isZero();
                    assertThat(f.acked()).as(r.target().id() + " " + f.name()).isEqualTo(f.sent());
                    assertThat(f.delivered()).as(r.target().id() + " " + f.name() + " " + f.note()).isEqualTo(f.sent());
                    assertThat(f.ok()).as(r.target().id() + " " + f.name() + " " + f.note()).isTrue();
                }
            }
            assertThat(names).as(r.target().id()).containsAll(messageFigures);
        }
    }
}
