package org.openrtm.extension.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.config.RtmConfig;
import org.openrtm.extension.config.Settings;
import org.openrtm.extension.session.Connection;
import org.openrtm.protocol.Limits;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/** {@code server.info}: the version, the limits in force, and who the caller is. Thread-safe. */
public final class ServerInfo implements RpcHandler {

    private final String version;
    private final RtmConfig config;
    private final Clock clock;

    public ServerInfo(final @NotNull String version, final @NotNull RtmConfig config, final @NotNull Clock clock) {
        this.version = version;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public @NotNull CompletableFuture<JsonElement> handle(final @NotNull Connection caller, final @NotNull JsonObject params) {
        final JsonObject limits = new JsonObject();
        limits.addProperty("maxPayloadBytes", config.get(Settings.MAX_PAYLOAD_BYTES));
        limits.addProperty("ratePerSecond", config.get(Settings.RATE_PER_SECOND));
        limits.addProperty("rateBurst", config.get(Settings.RATE_BURST));
        limits.addProperty("offlineMaxMessages", config.get(Settings.OFFLINE_MAX_MESSAGES));
        limits.addProperty("offlineTtlSeconds", config.get(Settings.OFFLINE_TTL).toSeconds());
        limits.addProperty("dedupWindowSeconds", config.get(Settings.DEDUP_WINDOW).toSeconds());
        limits.addProperty("maxRecipientList", config.get(Settings.CHANNEL_MAX_LIST));
        limits.addProperty("maxChannelsJoined", config.get(Settings.CHANNEL_MAX_JOINED));
        limits.addProperty("maxAttrKeyLength", config.get(Settings.ATTR_MAX_KEY_LENGTH));
        limits.addProperty("maxAttrValueBytes", config.get(Settings.ATTR_MAX_VALUE_BYTES));
        limits.addProperty("maxAttrKeys", config.get(Settings.ATTR_MAX_KEYS));
        limits.addProperty("maxChannelAttrBytes", config.get(Settings.ATTR_MAX_CHANNEL_BYTES));
        limits.addProperty("historyRetentionSeconds",
                config.get(Settings.HISTORY_ENABLED) ? config.get(Settings.HISTORY_RETENTION).toSeconds() : 0);
        limits.addProperty("historyMaxPage", Limits.MAX_HISTORY_PAGE);
        limits.addProperty("maxCallContentBytes", config.get(Settings.CALL_MAX_CONTENT_BYTES));
        final JsonObject result = new JsonObject();
        result.addProperty("version", version);
        result.addProperty("uid", caller.uid());
        result.addProperty("role", caller.role().wire());
        result.addProperty("via", caller.via().wire());
        result.addProperty("time", clock.millis());
        result.add("limits", limits);
        return CompletableFuture.completedFuture(result);
    }
}
