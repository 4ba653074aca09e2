package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;

import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Says what an I/O failure was in words, with the file and the operating system's reason. Java's file exceptions
 * often carry only a path as their message ({@link AccessDeniedException}) or none at all
 * ({@link ClosedChannelException}): "could not store the message: null" tells an operator nothing.
 */
public final class IoErrors {

    private IoErrors() {
    }

    /** A one-line description of {@code e} (or of the first cause that says more): what failed, where and why. */
    public static @NotNull String describe(final @NotNull Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause(); // a wrapper's message is only its cause's class and message
        }
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            final String s = one(t);
            if (s != null) {
                return s;
            }
        }
        return t != null ? t.getClass().getSimpleName() : e.getClass().getSimpleName();
    }

    /** Like {@link #describe}, without the file when it is {@code file} (the caller names it already). */
    public static @NotNull String describe(final @NotNull Throwable e, final @NotNull java.nio.file.Path file) {
        final String d = describe(e);
        final String prefix = file + ": ";
        return d.startsWith(prefix) ? d.substring(prefix.length()) : d;
    }

    private static String one(final Throwable t) {
        if (t instanceof FileSystemException) {
            final FileSystemException f = (FileSystemException) t;
            final String reason = f.getReason() != null ? f.getReason()
                    : t instanceof AccessDeniedException ? "permission denied"
                    : t instanceof NoSuchFileException ? "no such file or folder"
                    : t instanceof NotDirectoryException ? "not a folder"
                    : t.getClass().getSimpleName();
            return f.getFile() == null ? reason
                    : f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + reason;
        }
        if (t instanceof ClosedChannelException) {
            return "the file was closed after an earlier failure";
        }
        final String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return null;
        }
        final String simple = t.getClass().getSimpleName();
        // keep the class for what is not an I/O exception (a bug should look like one), else the message says it all
        return t instanceof java.io.IOException ? m : simple + ": " + m;
    }
}
