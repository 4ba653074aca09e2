package org.openrtm.broker.http;

import com.codahale.metrics.MetricRegistry;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.common.TextFormat;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.RtmRuntime;
import org.openrtm.extension.auth.TokenCheck;
import org.openrtm.extension.config.Settings;
import org.openrtm.extension.rpc.RpcException;
import org.openrtm.extension.session.Connection;
import org.openrtm.protocol.Role;
import org.openrtm.protocol.Rpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The broker's HTTP side, on the JDK's HTTP server: the REST API under {@code /api/v1/} for services (bearer tokens
 * with role service or admin), {@code /openapi.json}, {@code /metrics} (Prometheus text format of HiveMQ's metric
 * registry, which holds OpenRTM's metrics too), and the web pages ({@code /} the browser client, {@code /console} the
 * operators' console).
 *
 * <p>Requests run on a small pool of this class's own threads, never on HiveMQ's. Thread-safe.
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    static {
        // the JDK server writes headers and body separately: without TCP_NODELAY, delayed ACKs add ~40 ms per response
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }
    private static final int MAX_BODY_BYTES = 256 * 1024;
    private static final long TIMEOUT_SECONDS = 30;
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
    private final List<Route> routes;
    private final Map<String, org.openrtm.extension.session.Connection> callers = new ConcurrentHashMap<>();
    private HttpServer server;
    private ExecutorService pool;

    /**
     * @param runtime        the running extension (looked up per request, so a restarted extension is picked up)
     * @param metricRegistry HiveMQ's metric registry
     * @param host           the address to bind
     * @param port           the port (0 picks a free one)
     * @param wsPort         the MQTT-over-WebSocket port the web client connects to, or -1
     */
    public HttpApi(final @NotNull Supplier<RtmRuntime> runtime, final @NotNull MetricRegistry metricRegistry,
                   final @NotNull String host, final int port, final int wsPort) {
        this.runtime = runtime;
        this.metricRegistry = metricRegistry;
        this.host = host;
        this.port = port;
        this.wsPort = wsPort;
        this.routes = RestRoutes.all(runtime);
    }

    /** Starts listening. */
    public @NotNull HttpApi start() throws IOException {
        final AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(4, r -> {
            final Thread t = new Thread(r, "rtm-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(new InetSocketAddress(host, port), 128);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    /** The port listened on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The REST operations (for the OpenAPI consistency test). */
    public @NotNull List<Route> routes() {
        return routes;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(1);
            pool.shutdownNow();
            server = null;
        }
    }

    private void handle(final HttpExchange ex) {
        try (ex) {
            final String path = ex.getRequestURI().getRawPath();
            if (path.startsWith("/api/")) {
                api(ex, path);
            } else if (path.equals("/metrics")) {
                metrics(ex);
            } else if (path.equals("/openapi.json")) {
                resource(ex, "openapi.json");
            } else if (path.equals("/config.json")) {
                final JsonObject c = new JsonObject();
                c.addProperty("wsPort", wsPort);
                c.addProperty("wsPath", "/mqtt");
                send(ex, 200, c);
            } else if (PAGES.containsKey(path)) {
                resource(ex, PAGES.get(path));
            } else if (path.startsWith("/assets/") && path.indexOf("..") < 0 && path.indexOf('/', 8) < 0) {
                resource(ex, path.substring("/assets/".length()));
            } else {
                error(ex, new ApiException(404, Rpc.ERR_NOT_FOUND, "no such page: " + path));
            }
        } catch (final IOException e) {
            log.debug("HTTP exchange failed: {}", e.toString());
        } catch (final RuntimeException e) {
            log.error("HTTP request failed: {}", e.toString());
            log.debug("HTTP failure", e);
        }
    }

    private void api(final HttpExchange ex, final String path) throws IOException {
        Route route = null;
        Map<String, String> params = null;
        boolean pathKnown = false;
        for (final Route r : routes) {
            final Map<String, String> p = r.match(path);
            if (p != null) {
                pathKnown = true;
                if (r.method().equals(ex.getRequestMethod())) {
                    route = r;
                    params = p;
                    break;
                }
            }
        }
        if (route == null) {
            error(ex, pathKnown ? new ApiException(405, Rpc.ERR_INVALID, ex.getRequestMethod() + " is not allowed on " + path)
                    : new ApiException(404, Rpc.ERR_NOT_FOUND, "no such operation: " + path));
            return;
        }
        try {
            final RtmRuntime rt = runtime.get();
            if (rt == null) {
                throw new ApiException(503, Rpc.ERR_INTERNAL, "the broker is starting or stopping");
            }
            final Connection caller = authenticate(ex, rt, route.access());
            if (!caller.bucket().tryTake()) {
                final long retry = caller.bucket().secondsUntilNext();
                throw new ApiException(429, Rpc.ERR_RATE_LIMITED, "rate limit is "
                        + rt.config().get(Settings.HTTP_RATE_PER_SECOND) + " requests per second with bursts of "
                        + rt.config().get(Settings.HTTP_RATE_BURST) + " (http.rate-per-second); retry in " + retry + " s",
                        retry);
            }
            final String body = readBody(ex);
            final JsonElement result = route.handler().handle(new ApiRequest(caller, params, ex.getRequestURI().getRawQuery(),
                    body)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            send(ex, route.status(), result);
        } catch (final ApiException e) {
            error(ex, e);
        } catch (final RpcException e) {
            error(ex, new ApiException(ApiException.statusOf(e.code()), e.code(), e.getMessage()));
        } catch (final ExecutionException e) {
            final Throwable c = e.getCause();
            if (c instanceof ApiException) {
                error(ex, (ApiException) c);
            } else if (c instanceof RpcException) {
                final RpcException re = (RpcException) c;
                error(ex, new ApiException(ApiException.statusOf(re.code()), re.code(), re.getMessage()));
            } else {
                log.error("REST {} {} failed: {}", route.method(), path, String.valueOf(c));
                log.debug("REST failure", c);
                error(ex, new ApiException(500, Rpc.ERR_INTERNAL, "the server failed: " + c));
            }
        } catch (final TimeoutException e) {
            error(ex, new ApiException(504, Rpc.ERR_INTERNAL, "the server did not answer within " + TIMEOUT_SECONDS + " s"));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ex, new ApiException(503, Rpc.ERR_INTERNAL, "interrupted"));
        }
    }

    private Connection authenticate(final HttpExchange ex, final RtmRuntime rt, final Route.Access access) {
        final String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "unauthorized", "send a service or admin token as 'Authorization: Bearer <token>'");
        }
        final TokenCheck check = rt.tokens().verifyBearer(header.substring(7).trim());
        if (!check.isOk()) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
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

    private void metrics(final HttpExchange ex) throws IOException {
        final RtmRuntime rt = runtime.get();
        if (rt != null && !rt.config().get(Settings.HTTP_METRICS_PUBLIC)) {
            try {
                authenticate(ex, rt, Route.Access.SERVICE);
            } catch (final ApiException e) {
                error(ex, e);
                return;
            }
        }
        final CollectorRegistry registry = new CollectorRegistry();
        registry.register(new DropwizardExports(metricRegistry));
        ex.getResponseHeaders().set("Content-Type", TextFormat.CONTENT_TYPE_004);
        ex.sendResponseHeaders(200, 0);
        try (Writer w = new OutputStreamWriter(ex.getResponseBody(), StandardCharsets.UTF_8)) {
            TextFormat.write004(w, registry.metricFamilySamples());
        }
    }

    private void resource(final HttpExchange ex, final String name) throws IOException {
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
            error(ex, new ApiException(405, Rpc.ERR_INVALID, ex.getRequestMethod() + " is not allowed here"));
            return;
        }
        final String ext = name.substring(name.lastIndexOf('.') + 1);
        final String type = TYPES.get(ext);
        try (InputStream in = HttpApi.class.getResourceAsStream("/web/" + name)) {
            if (in == null || type == null) {
                error(ex, new ApiException(404, Rpc.ERR_NOT_FOUND, "no such page: /" + name));
                return;
            }
            final byte[] bytes = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String readBody(final HttpExchange ex) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = ex.getRequestBody()) {
            final byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_BODY_BYTES) {
                    throw new ApiException(413, Rpc.ERR_TOO_LARGE, "request body is over " + MAX_BODY_BYTES + " bytes");
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void error(final HttpExchange ex, final ApiException e) throws IOException {
        final JsonObject body = new JsonObject();
        final JsonObject error = new JsonObject();
        error.addProperty("code", e.code());
        error.addProperty("message", e.getMessage());
        body.add("error", error);
        if (e.retryAfterSeconds() > 0) {
            ex.getResponseHeaders().set("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        send(ex, e.status(), body);
    }

    private static void send(final HttpExchange ex, final int status, final @Nullable JsonElement body)
            throws IOException {
        final byte[] bytes = body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
