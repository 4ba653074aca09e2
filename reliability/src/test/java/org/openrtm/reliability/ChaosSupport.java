package org.openrtm.reliability;

import org.openrtm.sdk.ConnectionChangeReason;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.RtmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The SDK side of the chaos suite (used by {@code chaos.ChaosRun} inside the client network namespace): phases of
 * traffic over a lossy link, each checked for exactly-once, in-order arrival. One ledger spans the phases; each
 * phase's figures are the difference to the one before. Not thread-safe.
 */
public final class ChaosSupport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChaosSupport.class);
    private static final Duration PHASE_LIMIT = Duration.ofMinutes(90);
    /** Unsettled sends per sender at a time, so that no send waits long in the outbox. */
    private static final int WINDOW = 50;

    private final String uri;
    private final Function<String, String> tokens;
    private final Ledger ledger = new Ledger();
    private final List<RtmClient> clients = new ArrayList<>();
    /** Failed sends by kind (exception class and error code): every failure is logged and counted. */
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private Ledger.Report before = new Ledger.Report(0, 0, 0, 0, List.of(), List.of(), List.of(), List.of());

    /**
     * @param uri    the broker, {@code tcp://host:port}
     * @param tokens mints a token for a uid
     */
    public ChaosSupport(final String uri, final Function<String, String> tokens) {
        this.uri = uri;
        this.tokens = tokens;
    }

    /** The text of a message, as the ledger expects it. */
    public static String text(final String stream, final String from, final long seq) {
        return Ledger.text(stream, from, seq);
    }

    private RtmClient login(final String uid) throws Exception {
        final RtmClient c = Sdk.builder(uri, uid, tokens.apply(uid), ledger)
                .sendTimeout(Duration.ofMinutes(60))
                .requestTimeout(Duration.ofMinutes(10))
                .loginTimeout(Duration.ofMinutes(30))
                .connectTimeout(Duration.ofSeconds(60))
                .keepAlive(Duration.ofSeconds(60))
                .build();
        c.addConnectionListener(change -> {
            if (change.reason() != ConnectionChangeReason.LOGIN && change.reason() != ConnectionChangeReason.LOGOUT) {
                log.info("{}: {} -> {} ({}, code {}{})", uid, change.previous(), change.state(), change.reason(),
                        change.reasonCode() < 0 ? "none" : String.format("0x%02X", change.reasonCode()),
                        change.detail() != null ? ": " + change.detail() : "");
            }
        });
        clients.add(c);
        final long t = System.nanoTime();
        c.login().get(30, TimeUnit.MINUTES);
        log.info("{} logged in after {} ms", uid, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
        return c;
    }

    /** Two senders send {@code n} peer messages in all, alternating between two recipients. */
    public boolean peerPhase(final int n) throws Exception {
        final List<RtmClient> senders = List.of(login("chaos-s0"), login("chaos-s1"));
        final List<String> recipients = List.of("chaos-r0", "chaos-r1");
        for (final String r : recipients) {
            login(r);
        }
        final long start = System.nanoTime();
        final List<Thread> threads = new ArrayList<>();
        for (final RtmClient s : senders) {
            threads.add(feed(s, n / senders.size(), i -> {
                final String to = recipients.get((int) (i % recipients.size()));
                final String text = Ledger.text("p:" + to, s.uid(), i);
                final CompletableFuture<?> f = s.peer().send(to, text);
                ledger.sent(text, s.uid(), Set.of(to), f);
                return f;
            }));
        }
        for (final Thread t : threads) {
            t.join();
        }
        return finish(n + " peer messages (SDK, MQTT over TCP)", start);
    }

    /** Two members of a three-member channel send {@code n} channel messages in all. */
    public boolean channelPhase(final int n) throws Exception {
        final String cid = "chaos-room";
        final List<RtmClient> members = List.of(login("chaos-m0"), login("chaos-m1"), login("chaos-m2"));
        for (final RtmClient m : members) {
            m.channels().join(cid).get(30, TimeUnit.MINUTES);
        }
        final long start = System.nanoTime();
        final List<Thread> threads = new ArrayList<>();
        for (final RtmClient s : members.subList(0, 2)) {
            final Set<String> audience = Set.of(members.stream().map(RtmClient::uid).filter(u -> !u.equals(s.uid()))
                    .toArray(String[]::new));
            threads.add(feed(s, n / 2, i -> {
                final String text = Ledger.text("c:" + cid, s.uid(), i);
                final CompletableFuture<?> f = s.channels().send(cid, text);
                ledger.sent(text, s.uid(), audience, f);
                return f;
            }));
        }
        for (final Thread t : threads) {
            t.join();
        }
        return finish(n + " channel messages (SDK, MQTT over TCP)", start);
    }

    /** The recipient of the CoAP phase (already logged in by the peer phase). */
    public String coapRecipient() {
        return "chaos-r0";
    }

    /** Records a message sent by someone else (the CoAP device); {@code result} completes once accepted. */
    public void expect(final String text, final String from, final String to, final CompletableFuture<?> result) {
        ledger.sent(text, from, Set.of(to), result);
    }

    private interface Send {
        CompletableFuture<?> send(long i);
    }

    private Thread feed(final RtmClient sender, final int count, final Send send) {
        final Semaphore window = new Semaphore(WINDOW);
        final Thread t = new Thread(() -> {
            try {
                for (long i = 0; i < count; i++) {
                    window.acquire();
                    final long seq = i;
                    send.send(i).whenComplete((r, e) -> {
                        if (e != null) {
                            failed(sender.uid(), seq, e);
                        }
                        window.release();
                    });
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "chaos-feed-" + sender.uid());
        t.start();
        return t;
    }

    /** Logs a send that failed at the sender and counts it by kind (exception class and error code). */
    private void failed(final String uid, final long seq, final Throwable error) {
        final Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        final String kind = e.getClass().getSimpleName() + (e instanceof RtmException ? " " + ((RtmException) e).code()
                : "");
        failures.computeIfAbsent(kind, k -> new LongAdder()).increment();
        log.warn("send {} of {} failed: {}: {}", seq, uid, kind, e.getMessage());
    }

    /** Waits for every outcome and arrival of the phase, logs its figures, and says whether it passed. */
    public boolean finish(final String what, final long startNanos) throws Exception {
        final long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
        waitUntil(() -> ledger.settled() && ledger.complete(), deadline, what);
        // late duplicates would come within moments
        final long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        waitUntil(() -> false, settle, null);
        final Ledger.Report r = ledger.report();
        final double seconds = (System.nanoTime() - startNanos) / 1e9;
        final boolean ok = r.missing().isEmpty() && r.duplicates().isEmpty() && r.outOfOrder().isEmpty()
                && r.unexpected().isEmpty() && r.accepted() == r.sent();
        log.info("chaos phase '{}': {} in {} s; this phase: sent {}, accepted {}, received {}; interruptions so far {};"
                        + " whole run: {}", what, ok ? "PASSED" : "FAILED", String.format("%.1f", seconds),
                r.sent() - before.sent(), r.accepted() - before.accepted(), r.received() - before.received(),
                ledger.interruptions(), r);
        if (!failures.isEmpty()) {
            final Map<String, Long> byKind = new TreeMap<>();
            failures.forEach((k, v) -> byKind.put(k, v.sum()));
            log.warn("sends failed at the sender so far, by kind: {}", byKind);
        }
        if (!ok) {
            log.warn("missing {}; duplicates {}; out of order {}", head(r.missing()), head(r.duplicates()),
                    head(r.outOfOrder()));
        }
        before = r;
        return ok;
    }

    private static List<String> head(final List<String> l) {
        return l.subList(0, Math.min(10, l.size()));
    }

    private void waitUntil(final Supplier<Boolean> done, final long deadlineNanos, final String what)
            throws InterruptedException {
        long lastLog = System.nanoTime();
        final Object lock = new Object();
        while (!done.get() && System.nanoTime() < deadlineNanos) {
            synchronized (lock) {
                lock.wait(200);
            }
            if (what != null && System.nanoTime() - lastLog > TimeUnit.SECONDS.toNanos(30)) {
                lastLog = System.nanoTime();
                final Ledger.Report r = ledger.report();
                log.info("... {}: {} accepted, {} received so far", what, r.accepted() - before.accepted(),
                        r.received() - before.received());
                if (r.accepted() == r.sent() && !r.missing().isEmpty()) {
                    // everything was accepted and something has not arrived: say what, by recipient and sender
                    final Map<String, Long> byStream = new TreeMap<>();
                    for (final String m : r.missing()) {
                        byStream.merge(m.substring(0, m.lastIndexOf('|')), 1L, Long::sum);
                    }
                    log.info("... missing by recipient<-stream|sender: {}; first ones: {}", byStream, head(r.missing()));
                }
            }
        }
    }

    @Override
    public void close() {
        clients.forEach(RtmClient::close);
    }
}
