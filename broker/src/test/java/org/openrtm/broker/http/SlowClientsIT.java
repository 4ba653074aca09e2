package org.openrtm.broker.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Slow and half-open HTTP clients (issue 18, item 1): they cost the server a connection each, never a thread, and
 * lose their connection after {@code http.header-timeout} / {@code http.body-timeout}; at
 * {@code http.max-connections} new connections wait until one closes.
 */
class SlowClientsIT {

    private static final int HALF_OPEN = 500;
    private static final int MAX_CONNECTIONS = 520;
    /** How long one round of three requests may take; b108106 answered none of them while 4 connections were held. */
    private static final Duration ROUND = Duration.ofSeconds(5);

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "http.header-timeout", "10s", "http.body-timeout", "2s", "http.max-connections",
            Integer.toString(MAX_CONNECTIONS)));

    static Rest rest;
    static String service;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        rest = new Rest(broker);
        service = broker.token("slow-svc", Role.SERVICE);
    }

    @AfterEach
    void closeSockets() throws IOException {
        for (final Socket s : sockets) {
            s.close();
        }
        sockets.clear();
        // the server sees the closes asynchronously: start the next test without this one's connections (the HTTP
        // clients' idle keep-alive connections may stay until the header timeout)
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().http().openConnections() < 20);
    }

    @Test
    void fiveHundredHalfOpenConnections_restMetricsAndPagesKeepAnswering() throws Exception {
        for (int i = 0; i < HALF_OPEN; i++) {
            halfOpen();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().http().openConnections() >= HALF_OPEN);
        final HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 20; i++) {
            final long start = System.nanoTime();
            final HttpResponse<String> server = fresh.send(HttpRequest.newBuilder(rest.uri("/api/v1/server"))
                    .header("Authorization", "Bearer " + service).timeout(ROUND).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(server.statusCode()).isEqualTo(200);
            assertThat(fresh.send(HttpRequest.newBuilder(rest.uri("/metrics")).header("Authorization", "Bearer " + service)
                    .timeout(ROUND).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
            assertThat(fresh.send(HttpRequest.newBuilder(rest.uri("/console")).timeout(ROUND).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ROUND);
        }
        // still held by the clients, not dropped to make room
        assertThat(broker.broker().http().openConnections()).isGreaterThanOrEqualTo(HALF_OPEN);
        for (int i = 0; i < 10; i++) {
            assertThat(sockets.get(i * 50).isClosed()).isFalse();
        }
    }

    @Test
    void aClientTricklingItsHeaders_isClosedAfterTheHeaderTimeout() throws Exception {
        final Socket s = halfOpen();
        final long start = System.nanoTime();
        final InputStream in = s.getInputStream();
        final OutputStream out = s.getOutputStream();
        s.setSoTimeout(1_000);
        int read = 0;
        // one header line a second: never idle, so only the header deadline can end it
        while (read >= 0 && Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(20)) < 0) {
            try {
                out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (final IOException e) {
                break; // reset by the server: closed
            }
            try {
                read = in.read();
            } catch (final SocketTimeoutException e) {
                read = 0;
            } catch (final IOException e) {
                break;
            }
        }
        final Duration open = Duration.ofNanos(System.nanoTime() - start);
        assertThat(open).as("closed by the server after http.header-timeout (10s)")
                .isBetween(Duration.ofSeconds(8), Duration.ofSeconds(15));
    }

    @Test
    void aBodyThatStopsHalfWay_gets408AfterTheBodyTimeout() throws Exception {
        final Socket s = connect();
        final String head = "POST /api/v1/broadcast HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + service
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"text\":";
        s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        final long start = System.nanoTime();
        s.setSoTimeout(10_000);
        final String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).startsWith("HTTP/1.1 408").contains("http.body-timeout").contains("Connection: close");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(8));
    }

    @Test
    void atTheConnectionLimit_newConnectionsWaitUntilOneCloses() throws Exception {
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            halfOpen();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().http().openConnections() >= MAX_CONNECTIONS);
        final HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final HttpRequest config = HttpRequest.newBuilder(rest.uri("/config.json")).timeout(Duration.ofSeconds(1)).build();
        assertThatThrownBy(() -> fresh.send(config, HttpResponse.BodyHandlers.ofString()))
                .as("no connection is accepted at http.max-connections").isInstanceOf(HttpTimeoutException.class);
        for (int i = 0; i < 10; i++) {
            sockets.remove(0).close();
        }
        final HttpClient another = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThat(another.send(HttpRequest.newBuilder(config.uri()).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    /** A connection that sent the start of a request and then nothing: the attack of issue 18. */
    private Socket halfOpen() throws IOException {
        final Socket s = connect();
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    private Socket connect() throws IOException {
        final Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", broker.httpPort()), 5_000);
        return s;
    }
}
