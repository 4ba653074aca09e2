package org.openrtm.extension.rpc;

import org.jetbrains.annotations.NotNull;

/** An RPC that fails with one of the protocol's error codes ({@link org.openrtm.protocol.Rpc}{@code .ERR_*}). */
public final class RpcException extends RuntimeException {

    private final String code;

    public RpcException(final @NotNull String code, final @NotNull String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** The stable error code, e.g. {@code "invalid"}. */
    public @NotNull String code() {
        return code;
    }
}
