package org.openrtm.extension.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StoreTest {

    private static final List<String> KS = List.of("a", "b");

    @TempDir
    Path dir;

    /** For copies of {@link #dir}. */
    @TempDir
    Path spare;

    private static byte[] b(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(final byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private Store open(final StoreOptions options) throws Exception {
        return Store.open(dir, options, KS, ForkJoinPool.commonPool());
    }

    @Test
    void writtenValues_areReadBack_andSurviveCloseAndReopen() throws Exception {
        try (Store store = open(StoreOptions.defaults())) {
            final Keyspace a = store.keyspace("a");
            store.write(new WriteBatch().put(a, b("k1"), b("v1")).put(a, b("k2"), b("v2"))).get(5, TimeUnit.SECONDS);
            store.write(new WriteBatch().remove(a, b("k1"))).get(5, TimeUnit.SECONDS);
            assertThat(s(store.get(a, b("k1")))).isNull();
            assertThat(s(store.get(a, b("k2")))).isEqualTo("v2");
            assertThat(store.get(store.keyspace("b"), b("k2"))).isNull();
        }
        try (Store store = open(StoreOptions.defaults())) {
            final Keyspace a = store.keyspace("a");
            assertThat(s(store.get(a, b("k1")))).isNull();
            assertThat(s(store.get(a, b("k2")))).isEqualTo("v2");
        }
    }

    @Test
    void scan_mergesMemoryAndCheckpointedData_inBothDirections() throws Exception {
        final StoreOptions fastCheckpoints = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
                Duration.ofMillis(100), 100);
        try (Store store = open(fastCheckpoints)) {
            final Keyspace a = store.keyspace("a");
            for (int i = 0; i < 300; i++) {
                store.write(new WriteBatch().putNew(a, b(String.format("k%04d", i)), b("v" + i)));
            }
            store.write(new WriteBatch().put(a, b("zzz"), b("end"))).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.stats().checkpoints() >= 1);
            // change some keys after the checkpoint so that memory overrides MapDB
            final WriteBatch changes = new WriteBatch();
            for (int i = 0; i < 300; i += 2) {
                changes.remove(a, b(String.format("k%04d", i)));
            }
            changes.put(a, b("k0001"), b("changed"));
            store.write(changes).get(5, TimeUnit.SECONDS);

            final List<Store.Entry> asc = store.scanPrefix(a, b("k"), 1000);
            assertThat(asc).hasSize(150);
            assertThat(s(asc.get(0).key())).isEqualTo("k0001");
            assertThat(s(asc.get(0).value())).isEqualTo("changed");
            assertThat(s(asc.get(149).key())).isEqualTo("k0299");

            final List<Store.Entry> desc = store.scan(a, b("k0100"), b("k0200"), true, 3);
            assertThat(desc).extracting(e -> s(e.key())).containsExactly("k0199", "k0197", "k0195");
            assertThat(store.scan(a, b("k"), null, false, 1000)).hasSize(151);
        }
        try (Store store = open(StoreOptions.defaults())) {
            assertThat(store.scanPrefix(store.keyspace("a"), b("k"), 1000)).hasSize(150);
        }
    }

    @Test
    void keysCreatedAndRemovedBetweenCheckpoints_neverReachMapDb() throws Exception {
        try (Store store = open(StoreOptions.defaults())) {
            final Keyspace a = store.keyspace("a");
            for (int i = 0; i < 100; i++) {
                store.write(new WriteBatch().putNew(a, b("m" + i), b("x")));
                store.write(new WriteBatch().remove(a, b("m" + i)));
            }
            store.write(new WriteBatch()).get(5, TimeUnit.SECONDS);
            assertThat(store.stats().pendingChanges()).isZero();
        }
    }

    @Test
    void upperBound_isTheNextPrefix() {
        assertThat(Store.upperBound(new byte[] {1, 2})).containsExactly(1, 3);
        assertThat(Store.upperBound(new byte[] {1, (byte) 0xFF})).containsExactly(2);
        assertThat(Store.upperBound(new byte[] {(byte) 0xFF})).isNull();
    }

    @Test
    void acknowledgedWrites_surviveKill9OfTheProcess() throws Exception {
        final List<Integer> acked = crashChild(false);
        try (Store store = open(StoreOptions.defaults())) {
            final Keyspace a = store.keyspace("a");
            for (final int i : acked) {
                assertThat(store.get(a, b("key-" + i))).as("acked key %d", i).isNotNull();
            }
            assertThat(store.get(a, b("removed-0"))).isNull();
        }
        // the store keeps working after recovery
        try (Store store = open(StoreOptions.defaults())) {
            final Keyspace a = store.keyspace("a");
            final CompletableFuture<Void> w = store.write(new WriteBatch().put(a, b("after"), b("ok")));
            w.get(5, TimeUnit.SECONDS);
            assertThat(s(store.get(a, b("after")))).isEqualTo("ok");
        }
    }

    @Test
    void sharedWriter_aWriteQueuedFirstToTheOtherStore_survivesKill9WhenTheLaterWriteWasAcknowledged() throws Exception {
        final List<Integer> acked = crashChild(true);
        try (Store store = open(StoreOptions.defaults());
             Store second = Store.open(dir.resolve("second"), StoreOptions.defaults(), List.of("a"),
                     ForkJoinPool.commonPool())) {
            for (final int i : acked) {
                assertThat(store.get(store.keyspace("a"), b("key-" + i))).as("acked key %d", i).isNotNull();
                assertThat(second.get(second.keyspace("a"), b("key-" + i))).as("key %d of the second store", i)
                        .isNotNull();
            }
        }
    }

    /**
     * The process dies while a checkpoint is writing one of the two MapDB copies (calls 1 and 3: the first copy of the
     * first and second checkpoint; 2 and 4: the second copy). The copy being written is left unfinished; the store
     * opens from the other one and its journal, with every acknowledged write, and repairs the unfinished copy.
     */
    @ParameterizedTest(name = "halted in checkpoint-writer call {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void killedWhileACheckpointWritesACopy_opensFromTheOtherCopy_withEveryAcknowledgedWrite(final int call)
            throws Exception {
        final Process child = startChild(CheckpointCrashChild.class, dir.toString(), String.valueOf(call));
        final List<Integer> acked = new ArrayList<>();
        final List<String> other = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    acked.add(Integer.parseInt(line.substring(6)));
                } else {
                    other.add(line);
                }
            }
        }
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("the child halted itself; its output: %s", other).isEqualTo(99);
        assertThat(other).anyMatch(l -> l.startsWith("halting in call " + call + " "));
        // exactly one copy is marked whole: the other was being written
        assertThat(Files.exists(dir.resolve("rtm-a.ok")) ^ Files.exists(dir.resolve("rtm-b.ok")))
                .as("one of rtm-a.ok and rtm-b.ok").isTrue();
        assertThat(acked).hasSizeGreaterThan(1000);
        for (int round = 0; round < 2; round++) {
            try (Store store = Store.open(dir, StoreOptions.defaults(), KS, Map.of("b", copyingWriter()),
                    ForkJoinPool.commonPool())) {
                assertThat(Files.exists(dir.resolve("rtm-a.ok")) && Files.exists(dir.resolve("rtm-b.ok")))
                        .as("both copies whole after opening").isTrue();
                for (final int i : acked) {
                    assertThat(store.get(store.keyspace("a"), b("key-" + i))).as("acked key %d in a", i).isNotNull();
                    assertThat(store.get(store.keyspace("b"), b("key-" + i))).as("acked key %d in b", i).isNotNull();
                }
                store.write(new WriteBatch().put(store.keyspace("a"), b("round-" + round), b("ok")))
                        .get(5, TimeUnit.SECONDS);
            }
        }
        // the second round's close checkpointed into both copies; each one alone holds everything
        for (final String lost : List.of("a", "b")) {
            final Path kept = spare.resolve("without-" + lost);
            copyTree(dir, kept);
            Files.delete(kept.resolve("rtm-" + lost + ".ok"));
            try (Store store = Store.open(kept, StoreOptions.defaults(), KS, Map.of("b", copyingWriter()),
                    ForkJoinPool.commonPool())) {
                assertThat(s(store.get(store.keyspace("a"), b("round-1")))).isEqualTo("ok");
                assertThat(store.get(store.keyspace("b"), b("key-" + acked.get(acked.size() - 1)))).isNotNull();
            }
        }
    }

    @Test
    void aFolderOfTheSingleTransactionalMapDbFile_isTakenOverAsCopyA_andCopiedToB_andAMissingCopyIsMadeAgain() throws Exception {
        // what versions before the two copies left: rtm.db written with MapDB transactions
        final org.mapdb.DB old = org.mapdb.DBMaker.fileDB(dir.resolve("rtm.db").toFile()).transactionEnable().make();
        old.atomicLong("journal.checkpoint-lsn").createOrOpen().set(7);
        old.treeMap("ks.a", org.mapdb.Serializer.BYTE_ARRAY, org.mapdb.Serializer.BYTE_ARRAY).createOrOpen()
                .put(b("old"), b("kept"));
        old.commit();
        old.close();
        try (Store store = open(StoreOptions.defaults())) {
            assertThat(s(store.get(store.keyspace("a"), b("old")))).isEqualTo("kept");
            store.write(new WriteBatch().put(store.keyspace("a"), b("new"), b("written"))).get(5, TimeUnit.SECONDS);
        }
        assertThat(dir.resolve("rtm.db")).doesNotExist();
        assertThat(Files.readString(dir.resolve("rtm-b.ok"))).isEqualTo(Files.readString(dir.resolve("rtm-a.ok")));
        try (Store store = open(StoreOptions.defaults())) {
            assertThat(s(store.get(store.keyspace("a"), b("old")))).isEqualTo("kept");
            assertThat(s(store.get(store.keyspace("a"), b("new")))).isEqualTo("written");
        }
        // a copy deleted by hand (its marker left behind) is made again from the other one
        Files.delete(dir.resolve("rtm-a.db"));
        try (Store store = open(StoreOptions.defaults())) {
            assertThat(s(store.get(store.keyspace("a"), b("old")))).isEqualTo("kept");
            assertThat(s(store.get(store.keyspace("a"), b("new")))).isEqualTo("written");
        }
        assertThat(dir.resolve("rtm-a.db")).exists();
        assertThat(Files.readString(dir.resolve("rtm-a.ok"))).isEqualTo(Files.readString(dir.resolve("rtm-b.ok")));
    }

    @Test
    void aSecondProcessOnTheFolder_isRefusedNamingFolderAndPid_beforeItTouchesACopyBeingCheckpointed() throws Exception {
        try (Store store = open(StoreOptions.defaults())) {
            store.write(new WriteBatch().put(store.keyspace("a"), b("k"), b("v"))).get(5, TimeUnit.SECONDS);
            // what a checkpoint does before it writes a copy: remove its marker. A second process that got as far as
            // Copies.open would take that copy for unfinished and replace it under the running store's feet
            final Path copy = dir.resolve("rtm-b.db");
            Files.delete(dir.resolve("rtm-b.ok"));
            final byte[] before = Files.readAllBytes(copy);
            final long modified = Files.getLastModifiedTime(copy).toMillis();

            final Process child = startChild(StoreOpenChild.class, dir.toString());
            final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(output).isEqualTo(2);
            assertThat(output).contains("refused: ").contains(dir.toAbsolutePath().toString())
                    .contains("pid " + ProcessHandle.current().pid());
            assertThat(Files.readAllBytes(copy)).isEqualTo(before);
            assertThat(Files.getLastModifiedTime(copy).toMillis()).isEqualTo(modified);
            assertThat(dir.resolve("rtm-b.ok")).doesNotExist();
            // in this process, too, the folder is open once at a time
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> open(StoreOptions.defaults())))
                    .hasMessageContaining("is in use by this process");
        }
        // closed (the lock released): another process opens it, and the copy is repaired there
        final Process child = startChild(StoreOpenChild.class, dir.toString());
        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("opened ");
    }

    /**
     * The journal folder stops being usable while the store runs, and comes back. Tests run as root, for whom a
     * {@code chmod} denies nothing; so the folder is moved away and a plain file put in its place: the open segment
     * keeps working (its file moved with the folder) until the next one must be created, which fails as a read-only
     * or full disk would (with "Not a directory" as the operating system's reason).
     */
    @Test
    void aJournalFolderThatCannotTakeANewSegment_refusesWritesSayingWhy_andRecoversWithoutARestart() throws Exception {
        final StoreOptions everyWrite = new StoreOptions(StoreOptions.Sync.NEVER, Duration.ofMillis(10),
                Duration.ofHours(1), 1); // a checkpoint, and so a new segment, after every write
        final Path journal = dir.resolve("journal");
        final Path away = dir.resolve("journal-away");
        try (Store store = open(everyWrite)) {
            final Keyspace a = store.keyspace("a");
            store.write(new WriteBatch().put(a, b("before"), b("1"))).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.stats().checkpoints() >= 1);
            Files.move(journal, away);
            Files.writeString(journal, "not a folder");
            final List<Throwable> refusals = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    store.write(new WriteBatch().put(a, b("during"), b("2"))).get(5, TimeUnit.SECONDS);
                    return false;
                } catch (final java.util.concurrent.ExecutionException e) {
                    refusals.add(e.getCause());
                    return true;
                }
            });
            assertThat(IoErrors.describe(refusals.get(0))).contains("journal segment " + journal)
                    .contains("Not a directory");
            // back to normal: the next write makes a new segment, no restart needed
            Files.delete(journal);
            Files.move(away, journal);
            store.write(new WriteBatch().put(a, b("after"), b("3"))).get(5, TimeUnit.SECONDS);
            assertThat(s(store.get(a, b("after")))).isEqualTo("3");
        }
        try (Store store = open(StoreOptions.defaults())) {
            assertThat(s(store.get(store.keyspace("a"), b("before")))).isEqualTo("1");
            assertThat(s(store.get(store.keyspace("a"), b("after")))).isEqualTo("3");
        }
    }

    @Test
    void aFailedAppend_abandonsItsSegment_soThatLaterRecordsAreNotLostBehindAHalfRecordOnReplay() throws Exception {
        final Journal journal = new Journal(dir.resolve("j"), false);
        journal.rotate(1);
        journal.append(new byte[] {1, 2, 3}, 3, 1);
        // a write that fails half-way (ENOSPC) is simulated by closing the channel under the journal: what matters is
        // what the journal does next
        final java.lang.reflect.Field f = Journal.class.getDeclaredField("current");
        f.setAccessible(true);
        ((java.nio.channels.FileChannel) f.get(journal)).close();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> journal.append(new byte[] {4}, 1, 2)))
                .hasMessageContaining("cannot write the journal segment " + dir.resolve("j"))
                .hasMessageContaining("closed");
        journal.append(new byte[] {5}, 1, 3);
        journal.close();
        final List<Byte> replayed = new ArrayList<>();
        final Journal again = new Journal(dir.resolve("j"), false);
        again.replay(body -> replayed.add(body.get(0)));
        assertThat(replayed).containsExactly((byte) 1, (byte) 5);
        assertThat(dir.resolve("j").resolve(String.format("seg-%020d.log", 3))).exists();
    }

    /**
     * A store folder on a file system remounted read-only (a real tmpfs: as root, {@code chmod} denies nothing).
     * Skipped where the test may not mount.
     */
    @Test
    void aStoreFolderOnAReadOnlyDisk_isRefusedNamingTheFolderAndTheCause() throws Exception {
        final Path mnt = spare.resolve("mnt");
        Files.createDirectories(mnt);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                sh("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt.toString()) == 0, "cannot mount a tmpfs");
        try {
            final Path folder = mnt.resolve("store");
            Store.open(folder, StoreOptions.defaults(), KS, ForkJoinPool.commonPool()).close();
            assertThat(sh("mount", "-o", "remount,ro", mnt.toString())).isZero();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                    () -> Store.open(folder, StoreOptions.defaults(), KS, ForkJoinPool.commonPool())))
                    .hasMessageContaining("store folder " + folder).hasMessageContaining("Read-only file system");
        } finally {
            sh("umount", mnt.toString());
        }
    }

    private static int sh(final String... command) throws Exception {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** A JVM running {@code main} with this test's class path, its output and errors on one stream. */
    private static Process startChild(final Class<?> main, final String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static CheckpointWriter copyingWriter() {
        return (changes, base) -> {
            for (final CheckpointWriter.Change c : changes) {
                if (c.value() == null) {
                    base.remove(c.key());
                } else {
                    base.put(c.key(), c.value());
                }
            }
        };
    }

    private static void copyTree(final Path from, final Path to) throws Exception {
        try (var paths = Files.walk(from)) {
            for (final Path p : (Iterable<Path>) paths::iterator) {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    @Test
    void sharedWriter_completesInQueueOrderAcrossStores_andEitherStoreClosesFirst() throws Exception {
        final Store first = open(StoreOptions.defaults());
        final Store second = Store.open(dir.resolve("second"), StoreOptions.defaults(), List.of("h"), Map.of(),
                Store.DIRECT, first);
        final Keyspace a = first.keyspace("a");
        final Keyspace h = second.keyspace("h");
        final List<CompletableFuture<Boolean>> checks = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            final byte[] key = b("k" + i);
            final CompletableFuture<Void> early = second.write(new WriteBatch().putNew(h, key, b("h" + i)));
            // when the later write (to the other store) completes, the earlier one is done and readable
            checks.add(first.write(new WriteBatch().putNew(a, key, b("a" + i)))
                    .thenApply(v -> early.isDone() && second.get(h, key) != null));
        }
        for (final CompletableFuture<Boolean> c : checks) {
            assertThat(c.get(10, TimeUnit.SECONDS)).isTrue();
        }
        first.close();
        assertThat(first.write(new WriteBatch().put(a, b("late"), b("x"))))
                .failsWithin(Duration.ofSeconds(5));
        // the writer keeps serving the store that is still open
        second.write(new WriteBatch().put(h, b("after"), b("ok"))).get(5, TimeUnit.SECONDS);
        assertThat(s(second.get(h, b("after")))).isEqualTo("ok");
        second.close();
        try (Store reopened = open(StoreOptions.defaults());
             Store reopenedSecond = Store.open(dir.resolve("second"), StoreOptions.defaults(), List.of("h"),
                     ForkJoinPool.commonPool())) {
            assertThat(s(reopened.get(reopened.keyspace("a"), b("k1999")))).isEqualTo("a1999");
            assertThat(s(reopenedSecond.get(reopenedSecond.keyspace("h"), b("k0")))).isEqualTo("h0");
            assertThat(s(reopenedSecond.get(reopenedSecond.keyspace("h"), b("after")))).isEqualTo("ok");
        }
    }

    private List<Integer> crashChild(final boolean shared) throws Exception {
        final Process child = shared ? startChild(StoreCrashChild.class, dir.toString(), "shared")
                : startChild(StoreCrashChild.class, dir.toString());
        final List<Integer> acked = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    acked.add(Integer.parseInt(line.substring(6)));
                    if (acked.size() == 3000) {
                        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
                        break;
                    }
                }
            }
        }
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(acked).hasSize(3000);
        return acked;
    }
}
