package org.openrtm.examples.whiteboard;

import org.jetbrains.annotations.NotNull;
import org.openrtm.examples.ExampleOutcome;
import org.openrtm.examples.ExampleOutcomes;
import org.openrtm.examples.Sandbox;
import org.openrtm.examples.Waiter;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.channel.ChannelListener;
import org.openrtm.sdk.channel.ChannelMessage;
import org.openrtm.sdk.channel.ChannelSendOptions;
import org.openrtm.sdk.channel.ChannelSendResult;
import org.openrtm.sdk.history.HistoryMessage;
import org.openrtm.sdk.history.HistoryOrder;
import org.openrtm.sdk.history.HistoryQuery;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whiteboard / AR annotation: an artist draws on a shared board; the points of each pen stroke are streamed to the
 * board's channel at 60 points per second, at most once (QoS 0: a late point is worth less than the next one).
 *
 * <ol>
 *   <li>The artist's tablet and a viewer's AR glasses join the board's channel.</li>
 *   <li>The artist draws two strokes, a circle and a line: one channel message per point ({@code "stroke x y"}),
 *       paced at 60 per second. The glasses draw them live.</li>
 *   <li>A laptop joins late and redraws the board from the channel's history, oldest first, page by page; it renders
 *       the board as text.</li>
 * </ol>
 */
public final class Whiteboard {

    /** The board's channel. */
    public static final String BOARD = "board-1";
    /** The artist's uid. */
    public static final String ARTIST = "artist-tablet";
    /** The live viewer's uid. */
    public static final String VIEWER = "viewer-glasses";
    /** The late joiner's uid. */
    public static final String LATE = "late-laptop";
    /** Pen points per second. */
    public static final int RATE = 60;
    /** Width and height of the rendered board, in characters. */
    static final int WIDTH = 40;
    static final int HEIGHT = 16;

    /**
     * What the scenario observed.
     *
     * @param sentPerStroke     points the artist sent, per stroke
     * @param livePoints        points the viewer drew live
     * @param pointsPerSecond   the artist's measured rate
     * @param redrawnPerStroke  points the late joiner redrew from history, per stroke
     * @param redrawnInOrder    whether the late joiner got every stroke's points in drawing order
     * @param board             the late joiner's rendering, one line per row
     */
    public record Outcome(Map<String, Integer> sentPerStroke, int livePoints, double pointsPerSecond,
                          Map<String, Integer> redrawnPerStroke, boolean redrawnInOrder, List<String> board)
            implements ExampleOutcome {
        @Override
        public @NotNull String summary() {
            return String.format(java.util.Locale.ROOT, "drew %s at %.1f points per second; the glasses drew %d points "
                    + "live; the late laptop redrew %s from history, %s", ExampleOutcomes.words(sentPerStroke),
                    pointsPerSecond, livePoints, ExampleOutcomes.words(redrawnPerStroke),
                    redrawnInOrder ? "in order" : "OUT OF ORDER");
        }
    }

    /** A pen point of a stroke, in board coordinates. */
    record Point(String stroke, int seq, int x, int y) {

        String wire() {
            return stroke + " " + seq + " " + x + " " + y;
        }

        static Point parse(final String text) {
            final String[] p = text.split(" ");
            if (p.length != 4) {
                throw new IllegalArgumentException("not a pen point: '" + text + "'");
            }
            return new Point(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]));
        }
    }

    private final Sandbox sandbox;

    /**
     * @param sandbox where to run
     */
    public Whiteboard(final @NotNull Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** The two strokes: a circle of 60 points and a line of 30. */
    static List<Point> strokes() {
        final List<Point> points = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            final double a = 2 * Math.PI * i / 60;
            points.add(new Point("circle", i, (int) Math.round(12 + 9 * Math.cos(a)), (int) Math.round(8 + 6 * Math.sin(a))));
        }
        for (int i = 0; i < 30; i++) {
            points.add(new Point("line", i, 24 + i / 2, 2 + i * 12 / 30));
        }
        return points;
    }

    /**
     * Runs the scenario, narrating it on the sandbox's output.
     *
     * @return what happened
     * @throws Exception if a step fails or times out
     */
    public @NotNull Outcome run() throws Exception {
        final PrintStream out = sandbox.out();
        final Waiter<ChannelMessage> glasses = new Waiter<>();
        final ScheduledExecutorService pen = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "whiteboard-pen");
            t.setDaemon(true);
            return t;
        });
        try (RtmClient artist = sandbox.client(ARTIST).build();
             RtmClient viewer = sandbox.client(VIEWER).channelListener(new ChannelListener() {
                 @Override
                 public void onMessage(final @NotNull ChannelMessage message) {
                     glasses.add(message);
                 }
             }).build();
             RtmClient late = sandbox.client(LATE).build()) {
            // 1. the tablet and the glasses join the board
            artist.login().get(10, TimeUnit.SECONDS);
            viewer.login().get(10, TimeUnit.SECONDS);
            artist.channels().join(BOARD).get(10, TimeUnit.SECONDS);
            viewer.channels().join(BOARD).get(10, TimeUnit.SECONDS);
            out.println("[tablet] and [glasses] are on " + BOARD);

            // 2. two strokes, streamed at 60 points per second, at most once
            final List<Point> points = strokes();
            final Map<String, Integer> sent = new TreeMap<>();
            final List<CompletableFuture<ChannelSendResult>> writes = new ArrayList<>();
            final ChannelSendOptions stream = ChannelSendOptions.builder().atMostOnce(true).build();
            final CountDownLatch drawn = new CountDownLatch(1);
            final AtomicInteger next = new AtomicInteger();
            final long start = System.nanoTime();
            final ScheduledFuture<?> ticks = pen.scheduleAtFixedRate(() -> {
                final int i = next.getAndIncrement();
                if (i >= points.size()) {
                    drawn.countDown();
                    return;
                }
                writes.add(artist.channels().send(BOARD, points.get(i).wire(), stream));
            }, 0, 1_000_000 / RATE, TimeUnit.MICROSECONDS);
            if (!drawn.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the pen did not finish drawing within 30 s");
            }
            ticks.cancel(false);
            final double seconds = (System.nanoTime() - start) / 1e9;
            for (final CompletableFuture<ChannelSendResult> w : writes) {
                w.get(10, TimeUnit.SECONDS);
            }
            points.forEach(p -> sent.merge(p.stroke(), 1, Integer::sum));
            final double rate = Math.round(points.size() / seconds * 10) / 10.0;
            out.println("[tablet] drew " + sent + " in " + String.format("%.2f", seconds) + " s (" + rate
                    + " points per second)");
            int live = 0;
            for (int i = 0; i < points.size(); i++) {
                glasses.next("pen point " + i);
                live++;
            }
            out.println("[glasses] drew " + live + " points live");

            // 3. a late joiner redraws the board from history
            late.login().get(10, TimeUnit.SECONDS);
            late.channels().join(BOARD).get(10, TimeUnit.SECONDS);
            final List<HistoryMessage> replay = late.history().all(HistoryQuery.channel(BOARD)
                    .order(HistoryOrder.OLDEST_FIRST).build(), 10_000).get(10, TimeUnit.SECONDS);
            final Map<String, Integer> redrawn = new TreeMap<>();
            final Map<String, Integer> lastSeq = new TreeMap<>();
            boolean inOrder = true;
            final char[][] canvas = new char[HEIGHT][WIDTH];
            for (final char[] row : canvas) {
                Arrays.fill(row, ' ');
            }
            for (final HistoryMessage m : replay) {
                final Point p = Point.parse(m.text());
                redrawn.merge(p.stroke(), 1, Integer::sum);
                inOrder &= p.seq() == lastSeq.getOrDefault(p.stroke(), -1) + 1;
                lastSeq.put(p.stroke(), p.seq());
                if (p.y() >= 0 && p.y() < HEIGHT && p.x() >= 0 && p.x() < WIDTH) {
                    canvas[p.y()][p.x()] = p.stroke().charAt(0) == 'c' ? 'o' : '/';
                }
            }
            final List<String> board = new ArrayList<>();
            for (final char[] row : canvas) {
                board.add(new String(row).stripTrailing());
            }
            out.println("[laptop] joined late and redrew " + redrawn + " from history:");
            board.forEach(line -> out.println("  |" + line));
            return new Outcome(sent, live, rate, redrawn, inOrder, board);
        } finally {
            pen.shutdownNow();
        }
    }
}
