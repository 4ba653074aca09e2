package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a whole folder for the life of a process: the operating system's lock on the file
 * {@code <folder>/.lock}, which also holds the owner's process id for the message of whoever is refused. Taken before
 * anything else in the folder is read or written, so that a second process started on the same folder stops before
 * it can replace a file the first one is writing. The lock goes with the process: a crash or a kill releases it, and
 * a lock file left behind is simply locked again by the next owner.
 *
 * <p>Within one JVM the folder can be locked once at a time as well (a second attempt is refused, like another
 * process's). Thread-safe.
 */
public final class FolderLock implements AutoCloseable {

    /** The name of the lock file in the folder. */
    public static final String FILE = ".lock";

    private final Path folder;
    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(final Path folder, final FileChannel channel, final FileLock lock) {
        this.folder = folder;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code folder} (created if missing) or fails.
     *
     * @param folder what to lock
     * @param what   what the folder is, for the message ("data folder", "store folder")
     * @return the lock; close it to release
     * @throws IOException naming the folder and the holder's pid if another process (or this one) holds it, or the
     *                     folder and the cause if the lock file cannot be created
     */
    public static @NotNull FolderLock acquire(final @NotNull Path folder, final @NotNull String what) throws IOException {
        final Path abs = folder.toAbsolutePath().normalize();
        final Path file = abs.resolve(FILE);
        final FileChannel channel;
        try {
            Files.createDirectories(abs);
            // no TRUNCATE: the holder's pid stays readable for the message of whoever is refused
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (final IOException e) {
            throw new IOException("cannot lock the " + what + " " + abs + ": cannot create " + file + ": "
                    + IoErrors.describe(e), e);
        }
        boolean ok = false;
        try {
            final FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (final OverlappingFileLockException e) {
                throw inUse(what, abs, file, "this process (pid " + ProcessHandle.current().pid() + ")");
            } catch (final IOException e) {
                throw new IOException("cannot lock the " + what + " " + abs + ": " + IoErrors.describe(e), e);
            }
            if (lock == null) {
                throw inUse(what, abs, file, holder(file));
            }
            final byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            try {
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(pid), 0);
                channel.force(false);
            } catch (final IOException e) {
                throw new IOException("cannot lock the " + what + " " + abs + ": cannot write " + file + ": "
                        + IoErrors.describe(e), e);
            }
            ok = true;
            return new FolderLock(abs, channel, lock);
        } finally {
            if (!ok) {
                channel.close();
            }
        }
    }

    private static IOException inUse(final String what, final Path abs, final Path file, final String holder) {
        return new IOException("the " + what + " " + abs + " is in use by " + holder + ", which holds " + file
                + "; stop it first, or give this one another folder");
    }

    private static String holder(final Path file) {
        try {
            final String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return pid.matches("\\d{1,19}") ? "another process (pid " + pid + ")" : "another process";
        } catch (final IOException e) {
            return "another process";
        }
    }

    /** The folder (absolute). */
    public @NotNull Path folder() {
        return folder;
    }

    /** Releases the lock; the file stays. Idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (final IOException e) {
            // the channel is closed either way, and with it the lock
        }
    }
}
