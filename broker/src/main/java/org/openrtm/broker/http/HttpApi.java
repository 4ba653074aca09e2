package org.openrtm.broker.http;

import com.codahale.metrics.MetricRegistry;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.RtmRuntime;
import org.openrtm.extension.auth.TokenCheck;
import org.openrtm.extension.config.Setting;
import org.openrtm.extension.config.Settings;
import org.openrtm.extension.metrics.RtmMetrics;
import org.openrtm.extension.rpc.RpcException;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.Rpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The broker's HTTP side, on Jetty's core server (no servlets): the REST API under {@code /api/v1/} for services
 * (bearer tokens with role service or admin), {@code /openapi.json}, {@code /metrics} (Prometheus text format of
 * HiveMQ's metric registry, which holds OpenRTM's metrics too), and the web pages ({@code /} the browser client,
 * {@code /console} the operators' console).
 *
 * <p>Slow and idle clients cost a connection, not a thread: Jetty parses requests on its selector, bodies are read
 * asynchronously, and {@link HttpLimits} bound the connections and the time a client may take for headers, body and
 * silence. Requests run on this class's own small thread pool, never on HiveMQ's. Thread-safe.
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    private static final int MAX_BODY_BYTES = 256 * 1024;
    private static final long TIMEOUT_SECONDS = 30;
    private static final int MAX_THREADS = 16;
    private static final String GET_HEAD = "GET, HEAD";
    private static final Map<String, String> PAGES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/console", "console.html",
            "/console.html", "console.html");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "png", "image/png",
            "svg", "image/svg+xml");

    private final Supplier<RtmRuntime> runtime;
    private final MetricRegistry metricRegistry;
    private final String host;
    private final int port;
    private final int wsPort;
    private final HttpLimits limits;
    private final List<Route> routes;
    private final Map<String, org.openrtm.extension.session.Connection> callers = new ConcurrentHashMap<>();
    private Server server;
    private QueuedThreadPool threads;
    private ServerConnector connector;
    private HeaderTimeout headerTimeout;

    /**
     * @param runtime        the running extension (looked up per request, so a restarted extension is picked up)
     * @param metricRegistry HiveMQ's metric registry
     * @param host           the address to bind
     * @param port           the port (0 picks a free one)
     * @param wsPort         the MQTT-over-WebSocket port the web client connects to, or -1
     * @param limits         connection count and timeouts
     */
    public HttpApi(final @NotNull Supplier<RtmRuntime> runtime, final @NotNull MetricRegistry metricRegistry,
                   final @NotNull String host, final int port, final int wsPort, final @NotNull HttpLimits limits) {
        this.runtime = runtime;
        this.metricRegistry = metricRegistry;
        this.host = host;
        this.port = port;
        this.wsPort = wsPort;
        this.limits = limits;
        this.routes = RestRoutes.all(runtime);
    }

    /**
     * Starts listening.
     *
     * @throws IOException if the address cannot be bound
     */
    public @NotNull HttpApi start() throws IOException {
        threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("rtm-http");
        threads.setDaemon(true);
        final ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler("rtm-http-timer", true);
        server = new Server(threads, scheduler, null);
        final HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        headerTimeout = new HeaderTimeout(scheduler, limits.headerTimeout());
        connector.addBean(headerTimeout);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        server.setHandler(new Dispatcher());
        server.setErrorHandler(HttpApi::protocolError);
        try {
            server.start();
        } catch (final IOException e) {
            close();
            throw e;
        } catch (final Exception e) {
            close();
            throw new IOException(e.getMessage(), e);
        }
        return this;
    }

    /** The port listened on. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The REST operations (for the OpenAPI consistency test). */
    public @NotNull List<Route> routes() {
        return routes;
    }

    /** Connections open now (for tests and diagnostics). */
    public int openConnections() {
        return headerTimeout == null ? 0 : headerTimeout.watched();
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.stop();
            } catch (final Exception e) {
                log.debug("stopping the HTTP server failed: {}", e.toString());
            }
            server = null;
        }
    }

    /** Every request, on a pool thread once its headers are parsed. */
    private final class Dispatcher extends Handler.Abstract {
        @Override
        public boolean handle(final Request request, final Response response, final Callback callback) {
            final Connection connection = request.getConnectionMetaData().getConnection();
            headerTimeout.requestStarted(connection);
            final Exchange ex = new Exchange(request, response,
                    Callback.from(() -> headerTimeout.requestEnded(connection), callback));
            try {
                route(ex);
            } catch (final ApiException e) {
                ex.error(e);
            } catch (final RuntimeException e) {
                log.error("HTTP request failed: {}", e.toString());
                log.debug("HTTP failure", e);
                ex.error(new ApiException(500, Rpc.ERR_INTERNAL, "the server failed: " + e));
            }
            return true;
        }
    }

    private void route(final Exchange ex) {
        final String path = ex.request.getHttpURI().getPath();
        if (path.startsWith("/api/")) {
            api(ex, path);
        } else if (path.equals("/metrics")) {
            if (ex.onlyGetOrHead()) {
                metrics(ex);
            }
        } else if (path.equals("/openapi.json")) {
            resource(ex, "openapi.json");
        } else if (path.equals("/config.json")) {
            if (ex.onlyGetOrHead()) {
                final JsonObject c = new JsonObject();
                c.addProperty("wsPort", wsPort);
                c.addProperty("wsPath", "/mqtt");
                ex.json(200, c);
            }
        } else if (PAGES.containsKey(path)) {
            resource(ex, PAGES.get(path));
        } else if (path.startsWith("/assets/") && path.indexOf("..") < 0 && path.indexOf('/', 8) < 0) {
            resource(ex, path.substring("/assets/".length()));
        } else {
            throw new ApiException(404, Rpc.ERR_NOT_FOUND, "no such page: " + path);
        }
    }

    private void api(final Exchange ex, final String path) {
        final String method = ex.request.getMethod();
        Route route = null;
        Map<String, String> params = null;
        final Set<String> allowed = new LinkedHashSet<>();
        for (final Route r : routes) {
            final Map<String, String> p = r.match(path);
            if (p != null) {
                allowed.add(r.method());
                if (r.method().equals(method)) {
                    route = r;
                    params = p;
                    break;
                }
            }
        }
        if (route == null) {
            if (allowed.isEmpty()) {
                throw new ApiException(404, Rpc.ERR_NOT_FOUND, "no such operation: " + path);
            }
            throw ex.notAllowed(String.join(", ", allowed));
        }
        final RtmRuntime rt = runtime.get();
        if (rt == null) {
            throw new ApiException(503, Rpc.ERR_INTERNAL, "the broker is starting or stopping");
        }
        final org.openrtm.extension.session.Connection caller = authenticate(ex, rt, route.access());
        if (!caller.bucket().tryTake()) {
            final long retry = caller.bucket().secondsUntilNext();
            throw new ApiException(429, Rpc.ERR_RATE_LIMITED, "rate limit is "
                    + rt.config().get(Settings.HTTP_RATE_PER_SECOND) + " requests per second with bursts of "
                    + rt.config().get(Settings.HTTP_RATE_BURST) + " (http.rate-per-second); retry in " + retry + " s",
                    retry);
        }
        final Route chosen = route;
        final Map<String, String> pathParams = params;
        // the body may complete on a Jetty I/O thread: the operation runs on the pool
        readBody(ex).whenCompleteAsync((body, failure) -> {
            if (failure != null) {
                ex.error(failed(chosen, path, failure));
                return;
            }
            try {
                final ApiRequest request = new ApiRequest(caller, pathParams, ex.request.getHttpURI().getQuery(), body);
                chosen.handler().handle(request).toCompletableFuture().copy()
                        .orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                        .whenComplete((result, error) -> {
                            if (error != null) {
                                ex.error(failed(chosen, path, error));
                            } else {
                                ex.json(chosen.status(), result);
                            }
                        });
            } catch (final RuntimeException e) {
                ex.error(failed(chosen, path, e));
            }
        }, threads);
    }

    /** The body as text, read without holding a thread; fails with 413 over the limit, 408 after the body timeout. */
    private CompletableFuture<String> readBody(final Exchange ex) {
        final long declared = ex.request.getLength();
        if (declared > MAX_BODY_BYTES) {
            return CompletableFuture.failedFuture(tooLarge(declared));
        }
        final CompletableFuture<String> body = new CompletableFuture<>();
        Content.Source.asByteArrayAsync(ex.request, MAX_BODY_BYTES).whenComplete((bytes, failure) -> {
            if (failure == null) {
                ex.bodyRead = true;
                body.complete(new String(bytes, StandardCharsets.UTF_8));
            } else if (unwrap(failure) instanceof IllegalArgumentException) {
                body.completeExceptionally(tooLarge(-1));
            } else {
                body.completeExceptionally(failure);
            }
        });
        final long millis = limits.bodyTimeout().toMillis();
        return body.completeOnTimeout(null, millis, TimeUnit.MILLISECONDS).thenApply(text -> {
            if (text == null) {
                ex.closeAfterResponse();
                throw new ApiException(408, Rpc.ERR_INVALID, "the request body did not arrive within "
                        + Setting.formatDuration(limits.bodyTimeout()) + " (http.body-timeout)");
            }
            return text;
        });
    }

    private static ApiException tooLarge(final long declared) {
        return new ApiException(413, Rpc.ERR_TOO_LARGE, "request body is " + (declared >= 0 ? declared + " bytes, " : "")
                + "over the limit of " + MAX_BODY_BYTES + " bytes");
    }

    /** The REST error for a failure of an operation. */
    private static ApiException failed(final Route route, final String path, final Throwable failure) {
        final Throwable c = unwrap(failure);
        if (c instanceof ApiException) {
            return (ApiException) c;
        }
        if (c instanceof RpcException) {
            final RpcException re = (RpcException) c;
            return new ApiException(ApiException.statusOf(re.code()), re.code(), re.getMessage());
        }
        if (c instanceof TimeoutException) {
            return new ApiException(504, Rpc.ERR_INTERNAL, "the server did not answer within " + TIMEOUT_SECONDS + " s");
        }
        log.error("REST {} {} failed: {}", route.method(), path, String.valueOf(c));
        log.debug("REST failure", c);
        return new ApiException(500, Rpc.ERR_INTERNAL, "the server failed: " + c);
    }

    private static Throwable unwrap(final Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private org.openrtm.extension.session.Connection authenticate(final Exchange ex, final RtmRuntime rt,
                                                                  final Route.Access access) {
        final String header = ex.request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ex.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "unauthorized", "send a service or admin token as 'Authorization: Bearer <token>'");
        }
        final TokenCheck check = rt.tokens().verifyBearer(header.substring(7).trim());
        if (!check.isOk()) {
            ex.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            throw new ApiException(401, "unauthorized", check.reason());
        }
        if (check.role() == Role.USER || (access == Route.Access.ADMIN && check.role() != Role.ADMIN)) {
            throw new ApiException(403, Rpc.ERR_FORBIDDEN, "this operation needs role "
                    + (access == Route.Access.ADMIN ? "admin" : "service or admin") + "; the token's role is "
                    + check.role().wire());
        }
        final String key = check.uid() + "/" + check.role().wire();
        return callers.computeIfAbsent(key, k -> rt.sessions().apiCaller(check.uid(), check.role(),
                rt.config().get(Settings.HTTP_RATE_PER_SECOND), rt.config().get(Settings.HTTP_RATE_BURST)));
    }

    private void metrics(final Exchange ex) {
        final RtmRuntime rt = runtime.get();
        if (rt != null && !rt.config().get(Settings.HTTP_METRICS_PUBLIC)) {
            authenticate(ex, rt, Route.Access.SERVICE);
        }
        final List<MetricSnapshot> all = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        if (rt != null) {
            for (final MetricSnapshot s : rt.metrics().registry().scrape()) {
                all.add(s);
                names.add(s.getMetadata().getPrometheusName());
            }
        }
        // HiveMQ's own metrics; OpenRTM's Dropwizard mirror (org.openrtm.*) is left out: the native set above has it
        all.addAll(HiveMqMetrics.snapshots(metricRegistry, RtmMetrics.PREFIX, names));
        final ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        try {
            writer.write(out, new MetricSnapshots(all));
        } catch (final IOException e) {
            throw new IllegalStateException("writing to a byte array failed", e);
        }
        ex.send(200, writer.getContentType(), out.toByteArray());
    }

    private void resource(final Exchange ex, final String name) {
        if (!ex.onlyGetOrHead()) {
            return;
        }
        final String ext = name.substring(name.lastIndexOf('.') + 1);
        final String type = TYPES.get(ext);
        final byte[] bytes;
        try (InputStream in = HttpApi.class.getResourceAsStream("/web/" + name)) {
            if (in == null || type == null) {
                throw new ApiException(404, Rpc.ERR_NOT_FOUND, "no such page: /" + name);
            }
            bytes = in.readAllBytes();
        } catch (final IOException e) {
            throw new IllegalStateException("reading /web/" + name + " from the jar failed: " + e.getMessage(), e);
        }
        ex.header("Cache-Control", "no-cache");
        ex.header("X-Content-Type-Options", "nosniff");
        ex.send(200, type, bytes);
    }

    /**
     * Jetty's answer to a request it refused before any handler saw it (malformed, headers too large): the REST
     * error format instead of Jetty's HTML page.
     */
    private static boolean protocolError(final Request request, final Response response, final Callback callback) {
        final Object status = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_STATUS);
        final Object message = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_MESSAGE);
        final int code = status instanceof Integer ? (Integer) status : response.getStatus();
        final String text = "HTTP " + code + (message != null ? ": " + message : "");
        final String errorCode = code == 413 || code == 414 || code == 431 ? Rpc.ERR_TOO_LARGE
                : code >= 500 ? Rpc.ERR_INTERNAL : Rpc.ERR_INVALID;
        new Exchange(request, response, callback).error(new ApiException(code, errorCode, text));
        return true;
    }

    /** One request and its response. */
    private static final class Exchange {
        private final Request request;
        private final Response response;
        private final Callback callback;
        /** Set once the body was read whole; written before the response, read when it is sent. */
        private volatile boolean bodyRead;

        Exchange(final Request request, final Response response, final Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        void header(final String name, final String value) {
            response.getHeaders().put(name, value);
        }

        void closeAfterResponse() {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }

        /** True for GET and HEAD; otherwise answers 405 and returns false. */
        boolean onlyGetOrHead() {
            final String m = request.getMethod();
            if (m.equals("GET") || m.equals("HEAD")) {
                return true;
            }
            error(notAllowed(GET_HEAD));
            return false;
        }

        /** A 405 naming the allowed methods, which also go into the {@code Allow} header. */
        ApiException notAllowed(final String allow) {
            header("Allow", allow);
            return new ApiException(405, Rpc.ERR_INVALID, request.getMethod() + " is not allowed on "
                    + request.getHttpURI().getPath() + "; allowed: " + allow);
        }

        void error(final ApiException e) {
            final JsonObject body = new JsonObject();
            final JsonObject error = new JsonObject();
            error.addProperty("code", e.code());
            error.addProperty("message", e.getMessage());
            body.add("error", error);
            if (e.retryAfterSeconds() > 0) {
                header("Retry-After", Long.toString(e.retryAfterSeconds()));
            }
            json(e.status(), body);
        }

        void json(final int status, final @Nullable JsonElement body) {
            send(status, "application/json",
                    body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8));
        }

        void send(final int status, final String contentType, final byte[] bytes) {
            if (!bodyRead && (request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)
                    || request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) > 0)) {
                // answered before its body was read (an error): Jetty closes such a connection after the response, so
                // say so, or a client may send its next request on it and lose it
                closeAfterResponse();
            }
            response.setStatus(status);
            if (bytes.length > 0) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            }
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }
}
