package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The write-ahead log of a {@link Store}: append-only segment files of checksummed records, one record per group
 * commit. A record that was cut short by a crash fails its checksum and ends the replay of its segment; it was never
 * acknowledged, because acknowledgement waits for the append.
 *
 * <p>Not thread-safe: only the store's writer thread appends and rotates; replay runs before the writer starts.
 */
final class Journal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    static final int MAGIC = 0x524D4A31; // "RMJ1"
    private static final int HEADER = 12; // magic, body length, crc
    private static final String PREFIX = "seg-";
    private static final String SUFFIX = ".log";

    private final Path dir;
    private final boolean syncDirectory;
    private volatile FileChannel current;
    private Path currentPath;
    private final List<Path> closed = new ArrayList<>();
    private volatile long bytesWritten;

    Journal(final @NotNull Path dir, final boolean syncDirectory) throws IOException {
        this.dir = dir;
        this.syncDirectory = syncDirectory;
        Files.createDirectories(dir);
    }

    /** Every record body in every segment, oldest first, passed to {@code sink}. Marks the segments as closed. */
    void replay(final @NotNull Consumer<ByteBuffer> sink) throws IOException {
        for (final Path segment : segments()) {
            closed.add(segment);
            replaySegment(segment, sink);
        }
    }

    private void replaySegment(final Path segment, final Consumer<ByteBuffer> sink) throws IOException {
        final ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(segment));
        int records = 0;
        while (all.remaining() >= HEADER) {
            final int start = all.position();
            final int magic = all.getInt();
            final int length = all.getInt();
            final int crc = all.getInt();
            if (magic != MAGIC || length < 0 || length > all.remaining()) {
                logTail(segment, start, all.limit(), records);
                return;
            }
            final CRC32C c = new CRC32C();
            c.update(all.array(), all.position(), length);
            if ((int) c.getValue() != crc) {
                logTail(segment, start, all.limit(), records);
                return;
            }
            final ByteBuffer body = ByteBuffer.wrap(all.array(), all.position(), length).slice();
            all.position(all.position() + length);
            sink.accept(body);
            records++;
        }
        if (all.remaining() > 0) {
            logTail(segment, all.position(), all.limit(), records);
        }
    }

    private static void logTail(final Path segment, final int at, final int size, final int records) {
        // expected after a crash in the middle of an append; those bytes were never acknowledged
        log.warn("Journal segment {} ends with {} bytes that are not a whole record (after {} good records); "
                + "ignoring them", segment.getFileName(), size - at, records);
    }

    /**
     * Starts a new segment; the previous one (if any) joins the closed segments. When the new one cannot be created
     * the journal is left without a current segment: the next {@link #append} tries again to make one, so that a
     * folder that becomes writable again is used again without a restart.
     */
    void rotate(final long firstLsn) throws IOException {
        if (current != null) {
            final FileChannel previous = current;
            current = null;
            closed.add(currentPath);
            try {
                previous.force(false);
            } finally {
                previous.close();
            }
        }
        final Path path = dir.resolve(String.format("%s%020d%s", PREFIX, firstLsn, SUFFIX));
        try {
            // TRUNCATE_EXISTING is safe: a record number is never used twice, not even one whose append failed
            current = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (final IOException e) {
            throw new IOException("cannot create the journal segment " + path + ": " + IoErrors.describe(e, path), e);
        }
        currentPath = path;
        if (syncDirectory) {
            forceDirectory(dir);
        }
    }

    /** Closes the current segment and adds it to the closed ones (at shutdown, before the last checkpoint). */
    void finish() throws IOException {
        if (current != null) {
            current.force(false);
            current.close();
            current = null;
            closed.add(currentPath);
        }
    }

    /** The closed segments, to delete after a checkpoint covers them. Clears the list. */
    @NotNull List<Path> takeClosed() {
        final List<Path> taken = new ArrayList<>(closed);
        closed.clear();
        return taken;
    }

    static void delete(final @NotNull List<Path> segments) {
        for (final Path p : segments) {
            try {
                Files.deleteIfExists(p);
            } catch (final IOException e) {
                log.warn("Could not delete journal segment {}: {}", p, e.getMessage());
            }
        }
    }

    /**
     * Appends one record whose body is {@code body[0..length)} and whose record number is {@code lsn}. Without a
     * current segment (an earlier failure), a new one is started at {@code lsn} first. A failed append abandons its
     * segment: the record may be half written at its end, and a record after it would be lost on replay (which stops
     * at the first bad record of a segment), so the next append starts a new segment instead.
     *
     * @throws IOException naming the segment and the operating system's reason
     */
    void append(final byte @NotNull [] body, final int length, final long lsn) throws IOException {
        if (current == null) {
            rotate(lsn);
        }
        final CRC32C c = new CRC32C();
        c.update(body, 0, length);
        final ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.putInt(MAGIC).putInt(length).putInt((int) c.getValue()).flip();
        final ByteBuffer payload = ByteBuffer.wrap(body, 0, length);
        final ByteBuffer[] both = {header, payload};
        long remaining = HEADER + (long) length;
        try {
            while (remaining > 0) {
                remaining -= current.write(both);
            }
        } catch (final IOException e) {
            throw abandon(e, "write");
        }
        bytesWritten = bytesWritten + HEADER + length; // single writer; volatile for the sync thread
    }

    /** Forces appended records to disk (writer thread); a failure abandons the segment like a failed append. */
    void force() throws IOException {
        try {
            current.force(false);
        } catch (final IOException e) {
            throw abandon(e, "force");
        }
    }

    private IOException abandon(final IOException e, final String what) {
        final FileChannel broken = current;
        final Path path = currentPath;
        current = null;
        closed.add(path); // replayed up to its last whole record, deleted once a checkpoint covers it
        try {
            broken.close();
        } catch (final IOException ignored) {
            // abandoned either way
        }
        return new IOException("cannot " + what + " the journal segment " + path + ": " + IoErrors.describe(e, path)
                + "; the next write starts a new segment", e);
    }

    /**
     * Forces the current segment from another thread. Rotation closes the previous segment after forcing it, so a
     * segment swapped out meanwhile needs nothing more; a closed channel is simply skipped.
     */
    void forceCurrent() throws IOException {
        final FileChannel c = current;
        if (c == null) {
            return;
        }
        try {
            c.force(false);
        } catch (final java.nio.channels.ClosedChannelException rotated) {
            // rotate() forced it before closing
        }
    }

    long bytesWritten() {
        return bytesWritten;
    }

    /** The first LSN of the oldest segment on disk (from its name), or -1 if there is none. */
    long firstLsn() throws IOException {
        final List<Path> all = segments();
        if (all.isEmpty()) {
            return -1;
        }
        final String name = all.get(0).getFileName().toString();
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (final NumberFormatException e) {
            throw new IOException("journal segment " + all.get(0) + " is not named by its first record number", e);
        }
    }

    private List<Path> segments() throws IOException {
        final List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (final Path p : ds) {
                found.add(p);
            }
        }
        found.sort(null);
        return found;
    }

    /** Forces a folder's entries (files created, renamed, deleted) to disk; a failure is logged, not thrown. */
    static void forceDirectory(final @NotNull Path folder) {
        try (FileChannel d = FileChannel.open(folder, StandardOpenOption.READ)) {
            d.force(true);
        } catch (final IOException e) {
            log.debug("Cannot force folder {}: {}", folder, e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.force(false);
            current.close();
            current = null;
        }
    }
}
