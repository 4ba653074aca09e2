package org.openrtm.sdk.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Rpc;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.RtmTimeoutException;
import org.openrtm.sdk.history.History;
import org.openrtm.sdk.history.HistoryMessage;
import org.openrtm.sdk.history.HistoryPage;
import org.openrtm.sdk.history.HistoryQuery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link History}: {@code history.query} requests. Stateless apart from the client; thread-safe. */
final class HistoryImpl implements History {

    private final ClientCore core;

    HistoryImpl(final ClientCore core) {
        this.core = core;
    }

    @Override
    public @NotNull CompletableFuture<HistoryPage> query(final @NotNull HistoryQuery query) {
        Objects.requireNonNull(query, "query");
        final JsonObject r = new JsonObject();
        if (query.peer() != null) {
            r.addProperty("peer", query.peer());
            if (query.asUser() != null) {
                r.addProperty("uid", query.asUser());
            }
        } else {
            r.addProperty("cid", query.channel());
        }
        if (query.start() != null) {
            r.addProperty("start", query.start().toEpochMilli());
        }
        if (query.end() != null) {
            r.addProperty("end", query.end().toEpochMilli());
        }
        r.addProperty("limit", query.pageSize());
        r.addProperty("order", query.order().wireName());
        if (query.cursor() != null) {
            r.addProperty("cursor", query.cursor());
        }
        return DefaultRtmClient.view(core.request(Rpc.HISTORY_QUERY, r.toString()), json -> page(query, (String) json));
    }

    private HistoryPage page(final HistoryQuery query, final String json) {
        final JsonObject result = Json.resultObject(Rpc.HISTORY_QUERY, json);
        final List<HistoryMessage> messages = new ArrayList<>();
        final JsonElement array = result.get("messages");
        if (array != null && array.isJsonArray()) {
            for (final JsonElement e : array.getAsJsonArray()) {
                if (e.isJsonObject()) {
                    messages.add(message(e.getAsJsonObject()));
                }
            }
        }
        return new HistoryPage(this, query, messages, Json.string(result, "cursor"));
    }

    private static HistoryMessage message(final JsonObject m) {
        final String payload = Json.string(m, "payload");
        final boolean base64 = "base64".equals(Json.string(m, "encoding"));
        final byte[] bytes = payload == null ? new byte[0] : base64 ? Base64.getDecoder().decode(payload)
                : payload.getBytes(StandardCharsets.UTF_8);
        final String id = Json.string(m, "id");
        final String from = Json.string(m, "from");
        return new HistoryMessage(id != null ? id : "", from != null ? from : "", Json.string(m, "to"),
                Json.string(m, "cid"), Instant.ofEpochMilli(Json.number(m, "ts", 0)), bytes, !base64);
    }

    @Override
    public @NotNull CompletableFuture<List<HistoryMessage>> all(final @NotNull HistoryQuery query, final int maxMessages) {
        Objects.requireNonNull(query, "query");
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be positive, but was " + maxMessages);
        }
        final List<HistoryMessage> all = new ArrayList<>();
        return query(query).thenCompose(page -> collect(page, all, maxMessages));
    }

    private CompletableFuture<List<HistoryMessage>> collect(final HistoryPage page, final List<HistoryMessage> all,
                                                            final int max) {
        for (final HistoryMessage m : page.messages()) {
            if (all.size() == max) {
                break;
            }
            all.add(m);
        }
        if (!page.hasMore() || all.size() >= max) {
            return CompletableFuture.completedFuture(Collections.unmodifiableList(all));
        }
        return page.next().thenCompose(next -> collect(next, all, max));
    }

    @Override
    public @NotNull Iterator<HistoryMessage> iterate(final @NotNull HistoryQuery query, final @NotNull Duration pageTimeout) {
        Objects.requireNonNull(query, "query");
        Arguments.positive("pageTimeout", pageTimeout);
        return new Iterator<>() {
            private HistoryQuery nextQuery = query;
            private Iterator<HistoryMessage> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (nextQuery == null) {
                        return false;
                    }
                    final HistoryPage page = await(query(nextQuery));
                    nextQuery = page.hasMore() ? nextQuery.at(page.cursor()) : null;
                    current = page.messages().iterator();
                }
                return true;
            }

            @Override
            public HistoryMessage next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("no more messages in " + query);
                }
                return current.next();
            }

            private HistoryPage await(final CompletableFuture<HistoryPage> f) {
                try {
                    return f.get(pageTimeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    f.cancel(false);
                    throw new RtmTimeoutException("interrupted while waiting for a page of " + query, true);
                } catch (final TimeoutException e) {
                    f.cancel(false);
                    throw new RtmTimeoutException("a page of " + query + " did not come within " + pageTimeout, true);
                } catch (final ExecutionException e) {
                    if (e.getCause() instanceof RtmException) {
                        throw (RtmException) e.getCause();
                    }
                    throw new RtmException(org.openrtm.sdk.RtmErrorCode.UNKNOWN, "a page of " + query + " failed: "
                            + e.getCause(), e.getCause());
                }
            }
        };
    }
}
