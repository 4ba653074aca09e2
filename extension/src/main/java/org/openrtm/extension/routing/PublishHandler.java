package org.openrtm.extension.routing;

import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.session.Connection;

import java.util.concurrent.CompletableFuture;

/** Handles the publishes of one topic family. Must not block and must not fail: errors become a result. */
@FunctionalInterface
public interface PublishHandler {

    @NotNull CompletableFuture<SendResult> handle(@NotNull Connection sender, @NotNull InboundPublish publish);
}
