package org.openrtm.extension.store;

import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * A longer hunt than {@link StoreTest}'s (run by {@code chaos/store-kill.sh}, not by the test suite): a child process
 * writes 20,000 records of 1 KB, then checkpoints them, and is killed with SIGKILL at a random moment of that
 * checkpoint; the folder is then opened and checked, and the next cycle writes on top of it.
 *
 * <ul>
 *   <li>{@code store}: the child writes through {@link Store} (every write acknowledged before the checkpoint starts)
 *       and the checkpoint is {@link Store#close()}'s; opening must succeed and hold every record.</li>
 *   <li>{@code mapdb}: the child writes into one MapDB file with MapDB's transactions ({@code transactionEnable}, as
 *       the store did before its two copies) and the checkpoint is {@code DB.commit()}; opening must succeed and hold
 *       either the records before the commit or those plus the commit's.</li>
 * </ul>
 * The first cycle is not killed: it measures how long the checkpoint takes; the kills fall uniformly within 1.2 times
 * that. A folder that fails is kept beside the working one (named {@code ...-failed-N}) and the hunt starts afresh.
 *
 * <p>Arguments: {@code store|mapdb [cycles (40)] [folder (a new temporary one)]}.
 */
public final class CheckpointKillHunt {

    private static final int RECORDS = 20_000;
    private static final int CHECK_SECONDS = 120;
    private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
            StandardCharsets.UTF_8);

    private CheckpointKillHunt() {
    }

    public static void main(final String[] args) throws Exception {
        if (args[0].startsWith("child-")) {
            child(args);
            return;
        }
        if (args[0].startsWith("check-")) {
            final Path folder = Path.of(args[1]);
            final int before = Integer.parseInt(args[2]);
            OUT.println("verdict " + (args[0].equals("check-store") ? checkStore(folder, before)
                    : checkMapDb(folder, before, Integer.parseInt(args[3]))));
            return;
        }
        final boolean store = switch (args[0]) {
            case "store" -> true;
            case "mapdb" -> false;
            default -> throw new IllegalArgumentException("mode must be store or mapdb, not " + args[0]);
        };
        final int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        final Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("checkpoint-kill-");
        final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Random random = new Random();
        long checkpointMillis = 0;
        int written = 0; // records every earlier cycle finished writing (store: acknowledged)
        int committed = 0; // mapdb: records in a finished commit
        int killed = 0;
        int failed = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            final Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                    CheckpointKillHunt.class.getName(), store ? "child-store" : "child-mapdb", dir.toString(),
                    String.valueOf(written)).redirectErrorStream(true).start();
            final List<String> output = new ArrayList<>();
            boolean started = false;
            final java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            // a damaged B-tree can make a write loop forever: such a child is killed after CHECK_SECONDS
            CompletableFuture.delayedExecutor(CHECK_SECONDS, TimeUnit.SECONDS).execute(() -> {
                if (writing.get()) {
                    child.destroyForcibly();
                }
            });
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("checkpointing")) {
                        writing.set(false);
                        started = true;
                        break;
                    }
                    output.add(line);
                }
                if (!started) {
                    // the folder opened after the previous kill, but it is damaged: writing into it fails
                    writing.set(false);
                    child.waitFor();
                    failed++;
                    OUT.printf(Locale.ROOT, "cycle %d: WRITES FAIL in the folder the previous cycle left: %s%n",
                            cycle, output.isEmpty() ? "(no output; killed after " + CHECK_SECONDS + " s)"
                                    : output.get(0));
                    keep(dir, cycle);
                    written = 0;
                    committed = 0;
                    continue;
                }
                final long delay = cycle == 0 ? Long.MAX_VALUE : (long) (random.nextDouble() * 1.2 * checkpointMillis);
                final long t0 = System.nanoTime();
                boolean wasKilled = false;
                if (!child.waitFor(Math.min(delay, 600_000), TimeUnit.MILLISECONDS)) {
                    child.destroyForcibly();
                    wasKilled = true;
                    killed++;
                }
                child.waitFor();
                if (cycle == 0) {
                    checkpointMillis = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
                }
                final int before = committed;
                written += RECORDS;
                // the check runs in a process of its own: a damaged B-tree can make a read loop forever
                final Process check = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                        CheckpointKillHunt.class.getName(), "check-" + args[0], dir.toString(),
                        String.valueOf(store ? written : before), String.valueOf(before + RECORDS))
                        .redirectErrorStream(true).start();
                final CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                    try {
                        final String all = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        return all.lines().filter(l -> l.startsWith("verdict ")).map(l -> l.substring(8))
                                .findFirst().orElse("CANNOT OPEN: " + all.lines().filter(l -> l.contains("Exception"))
                                        .findFirst().orElse(all.strip()));
                    } catch (final java.io.IOException e) {
                        return "CANNOT OPEN: " + e;
                    }
                });
                String verdict;
                if (!check.waitFor(CHECK_SECONDS, TimeUnit.SECONDS)) {
                    check.destroyForcibly();
                    verdict = "CANNOT READ: counting the records did not end within " + CHECK_SECONDS + " s";
                } else {
                    verdict = answer.get();
                }
                if (!store && verdict.startsWith("opens with ")) {
                    committed = Integer.parseInt(verdict.substring(verdict.lastIndexOf(' ') + 1));
                }
                if (verdict.startsWith("MISSING") || verdict.startsWith("CANNOT")) {
                    failed++;
                }
                OUT.printf(Locale.ROOT, "cycle %d: %s; %s%n", cycle,
                        wasKilled ? "killed " + delay + " ms into the checkpoint" : "checkpoint finished", verdict);
                if (verdict.startsWith("MISSING") || verdict.startsWith("CANNOT")) {
                    keep(dir, cycle);
                    written = 0;
                    committed = 0;
                }
            }
        }
        OUT.printf(Locale.ROOT, "%s: %d cycles, %d killed during the checkpoint (of about %d ms), %d failed%n",
                args[0], cycles, killed, checkpointMillis, failed);
    }

    private static void keep(final Path dir, final int cycle) throws java.io.IOException {
        final Path kept = dir.resolveSibling(dir.getFileName() + "-failed-" + cycle);
        Files.move(dir, kept);
        OUT.println("  kept in " + kept);
    }

    private static String checkStore(final Path dir, final int written) throws Exception {
        try (Store s = Store.open(dir, StoreOptions.defaults(), List.of("a"), ForkJoinPool.commonPool())) {
            int missing = 0;
            for (int i = 0; i < written; i++) {
                if (s.get(s.keyspace("a"), key(i)) == null) {
                    missing++;
                }
            }
            return (missing == 0 ? "all " : "MISSING " + missing + " of ") + written + " records";
        }
    }

    private static String checkMapDb(final Path dir, final int before, final int after) {
        final DB db = DBMaker.fileDB(dir.resolve("t.db").toFile()).fileMmapEnableIfSupported().transactionEnable()
                .make();
        try {
            final int size = db.treeMap("m", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen().size();
            return (size == before || size == after ? "opens with " : "MISSING: opens with ") + size;
        } finally {
            db.close();
        }
    }

    private static byte[] key(final int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static void child(final String[] args) throws Exception {
        final Path dir = Path.of(args[1]);
        final int from = Integer.parseInt(args[2]);
        if (args[0].equals("child-store")) {
            final StoreOptions options = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
                    Duration.ofHours(1), 10_000_000);
            final Store s = Store.open(dir, options, List.of("a"), Store.DIRECT);
            CompletableFuture<Void> last = null;
            for (int i = from; i < from + RECORDS; i++) {
                last = s.write(new WriteBatch().put(s.keyspace("a"), key(i), new byte[1000]));
            }
            last.get();
            OUT.println("checkpointing");
            OUT.flush();
            s.close();
        } else {
            Files.createDirectories(dir);
            final DB db = DBMaker.fileDB(dir.resolve("t.db").toFile()).fileMmapEnableIfSupported()
                    .transactionEnable().make();
            final BTreeMap<byte[], byte[]> m = db.treeMap("m", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                    .createOrOpen();
            for (int i = from; i < from + RECORDS; i++) {
                m.put(key(i), new byte[1000]);
            }
            OUT.println("checkpointing");
            OUT.flush();
            db.commit();
            db.close();
        }
    }
}
