package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.Objects;

/**
 * The base of every error the SDK reports through a future. {@link #code()} tells the kind; subclasses exist for
 * the kinds a program typically handles differently. The message is the server's reason string when there is one
 * (it names the rule, the limit and the value), otherwise the SDK's own description.
 *
 * <p>Futures fail with these as the cause ({@code ExecutionException.getCause()} after {@code get()},
 * {@code CompletionException.getCause()} after {@code join()}). Immutable and thread-safe.
 */
public class RtmException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final RtmErrorCode code;

    /**
     * @param code    the kind of error
     * @param message what happened, for people
     * @param cause   the underlying cause, or null
     */
    public RtmException(final @NotNull RtmErrorCode code, final @NotNull String message, final @Nullable Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The kind of error. */
    public @NotNull RtmErrorCode code() {
        return code;
    }
}
