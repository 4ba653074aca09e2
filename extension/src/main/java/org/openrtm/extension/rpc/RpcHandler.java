package org.openrtm.extension.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.session.Connection;

import java.util.concurrent.CompletableFuture;

/** One RPC method. Implementations are thread-safe and must not block: slow work goes into the returned future. */
@FunctionalInterface
public interface RpcHandler {

    /**
     * Runs the method.
     *
     * @param caller the calling connection
     * @param params the request body (a JSON object; {@code rid} removed)
     * @return the result; fails with {@link RpcException} for a protocol error
     * @throws RpcException for a protocol error found before any asynchronous work
     */
    @NotNull CompletableFuture<JsonElement> handle(@NotNull Connection caller, @NotNull JsonObject params);
}
