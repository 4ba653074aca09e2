package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The MapDB side of a {@link Store}: two copies of the same data, {@code rtm-a.db} and {@code rtm-b.db}, so that a
 * process killed while a checkpoint writes one of them always leaves the other one whole.
 *
 * <h2>Why two copies</h2>
 * MapDB 3.1's transactions do not survive {@code kill -9} during a commit: {@code StoreWAL.commit} writes its log,
 * then copies the changes into the file, and on open it does not replay the log (it only reads the file), so a commit
 * cut short leaves the file with a new header over old or half-written pages ({@code IndexOutOfBoundsException} when
 * the B-tree is opened). The copies are therefore opened without MapDB transactions, and the store's own journal does
 * the recovery:
 * <ul>
 *   <li>A copy is <em>whole</em> while its marker file ({@code rtm-a.ok}) exists; the marker holds the journal
 *       position (LSN) the copy covers. A checkpoint deletes the marker of the copy it is about to write, writes and
 *       commits (MapDB forces the file), then writes the marker again (a new file renamed into place; the folder is
 *       forced after each change of a marker).</li>
 *   <li>A checkpoint writes the copy readers are not using, makes it the one they read, and then writes the other.
 *       So at every moment at least one copy is whole; at worst it is one checkpoint behind, and the journal segments
 *       of that checkpoint are deleted only after both copies have it.</li>
 *   <li>On open, the whole copy with the higher LSN is the good one; the other is replaced by a file copy of it when
 *       it is not whole or is behind (after a crash during a checkpoint). Then the journal after that LSN is
 *       replayed as before.</li>
 * </ul>
 * The price is twice the disk space and twice MapDB's checkpoint work (MapDB's transaction log wrote everything twice
 * as well).
 *
 * <p>A folder from before the copies ({@code rtm.db}, written with MapDB transactions) is taken over on open: it
 * becomes copy a and is copied to b.
 *
 * <p>Threads: {@link #open} and {@link #close} run alone; {@link #write} runs on the store's checkpoint thread only;
 * {@link #readable()} on any thread.
 */
final class Copies implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Copies.class);
    private static final String LSN_NAME = "journal.checkpoint-lsn";
    private static final String LEGACY = "rtm.db";

    /** One MapDB file with the store's keyspaces. */
    static final class Copy {
        final String name;
        final Path file;
        final Path marker;
        DB db;
        Atomic.Long lsn;
        final List<BTreeMap<byte[], byte[]>> maps = new ArrayList<>();

        Copy(final Path dir, final String name) {
            this.name = name;
            this.file = dir.resolve("rtm-" + name + ".db");
            this.marker = dir.resolve("rtm-" + name + ".ok");
        }

        /** The keyspace's map in this copy. */
        @NotNull BTreeMap<byte[], byte[]> map(final int keyspace) {
            return maps.get(keyspace);
        }
    }

    private final Path dir;
    private final Copy a;
    private final Copy b;
    private volatile Copy readable;

    private Copies(final Path dir) {
        this.dir = dir;
        this.a = new Copy(dir, "a");
        this.b = new Copy(dir, "b");
    }

    /**
     * Opens both copies in {@code dir}, repairing the one a crash left unfinished.
     *
     * @param names   the keyspaces, in index order
     * @param largeValues per keyspace whether its values are large (kept outside MapDB's B-tree nodes)
     * @param journalStart the first LSN of the oldest journal segment, or -1 if there is none: with no whole copy at
     *                     all, the journal must start at the beginning
     */
    static @NotNull Copies open(
            final @NotNull Path dir,
            final @NotNull List<String> names,
            final @NotNull List<Boolean> largeValues,
            final long journalStart) throws IOException {
        final Copies c = new Copies(dir);
        c.takeOverLegacy(names, largeValues);
        // a copy whose file is gone is not whole, whatever its marker says
        final long lsnA = Files.exists(c.a.file) ? readMarker(c.a.marker) : -1;
        final long lsnB = Files.exists(c.b.file) ? readMarker(c.b.marker) : -1;
        final Copy good;
        if (lsnA < 0 && lsnB < 0) {
            // no checkpoint ever finished (a marker is removed from one copy at a time): the journal is complete
            if (journalStart > 1) {
                throw new IOException("the store in " + dir + " has no whole MapDB copy (no rtm-a.ok or rtm-b.ok) and "
                        + "its journal starts at record " + journalStart + ", not 1: its data cannot be recovered");
            }
            Files.deleteIfExists(c.a.file);
            Files.deleteIfExists(c.b.file);
            good = c.a;
            c.create(good, names, largeValues);
            c.create(c.b, names, largeValues);
        } else {
            good = lsnA >= lsnB ? c.a : c.b;
            final Copy other = good == c.a ? c.b : c.a;
            final long goodLsn = Math.max(lsnA, lsnB);
            final long otherLsn = Math.min(lsnA, lsnB);
            if (otherLsn != goodLsn) {
                log.info("Store {}: copy {} is {}; replacing it with copy {} (checkpoint {})", dir, other.name,
                        !Files.exists(other.file) ? "missing" : otherLsn < 0 ? "unfinished (a checkpoint was cut short)"
                                : "one checkpoint behind", good.name, goodLsn);
                c.replace(other, good, goodLsn);
            }
            c.openCopy(good, names, largeValues);
            c.openCopy(other, names, largeValues);
            for (final Copy copy : List.of(good, other)) {
                if (copy.lsn.get() != goodLsn) {
                    c.close();
                    throw new IOException("the store in " + dir + ": " + copy.file.getFileName() + " says checkpoint "
                            + copy.lsn.get() + " but its marker says " + goodLsn + "; the files were changed by hand");
                }
            }
        }
        c.readable = good;
        return c;
    }

    /** The copy readers use: whole, and at least as new as every checkpoint whose layer was dropped. */
    @NotNull Copy readable() {
        return readable;
    }

    /** The journal position the copies cover. */
    long checkpointLsn() {
        return readable.lsn.get();
    }

    /**
     * Checkpoint thread: applies a layer to both copies, one after the other.
     *
     * @param apply      writes the layer's changes into a copy's maps (called twice, once per copy)
     * @param upTo       the journal position the layer covers
     * @param afterFirst run once the first copy is written and readable (the layer may then be dropped from reads)
     * @throws IOException or a runtime exception from MapDB; the copy being written is then left unfinished (not
     *                     whole), and the other is whole
     */
    void write(final @NotNull Consumer<Copy> apply, final long upTo, final @NotNull Runnable afterFirst)
            throws IOException {
        final Copy first = readable == a ? b : a;
        writeCopy(first, apply, upTo);
        readable = first;
        afterFirst.run();
        writeCopy(first == a ? b : a, apply, upTo);
    }

    private void writeCopy(final Copy copy, final Consumer<Copy> apply, final long upTo) throws IOException {
        Files.deleteIfExists(copy.marker);
        Journal.forceDirectory(dir);
        apply.accept(copy);
        copy.lsn.set(upTo);
        copy.db.commit(); // forces the file
        writeMarker(copy, upTo);
    }

    // ---------------------------------------------------------------------------------------------------- opening

    private void create(final Copy copy, final List<String> names, final List<Boolean> largeValues) throws IOException {
        openCopy(copy, names, largeValues);
        copy.db.commit();
        writeMarker(copy, 0);
    }

    private void openCopy(final Copy copy, final List<String> names, final List<Boolean> largeValues) {
        copy.db = DBMaker.fileDB(copy.file.toFile())
                .fileMmapEnableIfSupported()
                .cleanerHackEnable()
                .make();
        copy.lsn = copy.db.atomicLong(LSN_NAME).createOrOpen();
        for (int i = 0; i < names.size(); i++) {
            final DB.TreeMapMaker<byte[], byte[]> maker = copy.db.treeMap("ks." + names.get(i), Serializer.BYTE_ARRAY,
                    Serializer.BYTE_ARRAY);
            copy.maps.add((largeValues.get(i) ? maker.valuesOutsideNodesEnable() : maker).createOrOpen());
        }
    }

    /** Replaces {@code target}'s file by a copy of {@code source}'s (neither is open). */
    private void replace(final Copy target, final Copy source, final long lsn) throws IOException {
        Files.deleteIfExists(target.marker);
        Journal.forceDirectory(dir);
        final Path tmp = dir.resolve(target.file.getFileName() + ".tmp");
        Files.copy(source.file, tmp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        writeMarker(target, lsn);
    }

    /**
     * A folder written before the copies existed has {@code rtm.db} (MapDB with transactions) and MapDB's log files
     * beside it: it becomes copy a, whole at the LSN it records.
     */
    private void takeOverLegacy(final List<String> names, final List<Boolean> largeValues) throws IOException {
        final Path legacy = dir.resolve(LEGACY);
        if (!Files.exists(legacy)) {
            return;
        }
        if (Files.exists(a.file) || Files.exists(b.file)) {
            throw new IOException("the store in " + dir + " has both the old " + LEGACY + " and the copies "
                    + a.file.getFileName() + "/" + b.file.getFileName() + "; move one of them away");
        }
        final long lsn;
        final DB old = DBMaker.fileDB(legacy.toFile()).fileMmapEnableIfSupported().cleanerHackEnable()
                .transactionEnable().make();
        try {
            lsn = old.atomicLong(LSN_NAME).createOrOpen().get();
            old.commit();
        } finally {
            old.close();
        }
        Files.move(legacy, a.file, StandardCopyOption.ATOMIC_MOVE);
        writeMarker(a, lsn);
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, LEGACY + ".wal.*")) {
            for (final Path p : logs) {
                Files.deleteIfExists(p);
            }
        }
        log.info("Store {}: took over {} (checkpoint {}) as {}", dir, LEGACY, lsn, a.file.getFileName());
    }

    // ---------------------------------------------------------------------------------------------------- markers

    /** The LSN in a marker, or -1 if there is no marker (the copy is not whole). */
    private static long readMarker(final Path marker) throws IOException {
        if (!Files.exists(marker)) {
            return -1;
        }
        final String text = Files.readString(marker, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (final NumberFormatException e) {
            throw new IOException("the marker " + marker + " does not hold a checkpoint number: '" + text + "'", e);
        }
    }

    private void writeMarker(final Copy copy, final long lsn) throws IOException {
        final Path tmp = dir.resolve(copy.marker.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(Long.toString(lsn).getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, copy.marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Journal.forceDirectory(dir);
    }

    @Override
    public void close() {
        for (final Copy c : List.of(a, b)) {
            final @Nullable DB db = c.db;
            if (db != null && !db.isClosed()) {
                db.close();
            }
        }
    }
}
