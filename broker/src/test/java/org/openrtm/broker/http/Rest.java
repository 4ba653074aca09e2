package org.openrtm.broker.http;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small REST client for the tests: the JDK's HTTP client against a test broker. */
final class Rest {

    record Response(int status, JsonElement body, HttpResponse<String> raw) {
        String code() {
            return body.getAsJsonObject().getAsJsonObject("error").get("code").getAsString();
        }

        String message() {
            return body.getAsJsonObject().getAsJsonObject("error").get("message").getAsString();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final EmbeddedBroker broker;

    Rest(final EmbeddedBroker broker) {
        this.broker = broker;
    }

    Response get(final String path, final String token) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET(), token);
    }

    Response post(final String path, final String token, final String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), token);
    }

    Response put(final String path, final String token, final String json) throws IOException, InterruptedException {
        return withBody("PUT", path, token, json);
    }

    Response patch(final String path, final String token, final String json) throws IOException, InterruptedException {
        return withBody("PATCH", path, token, json);
    }

    Response delete(final String path, final String token) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).DELETE(), token);
    }

    private Response withBody(final String method, final String path, final String token, final String json)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)), token);
    }

    Response send(final HttpRequest.Builder b, final String token) throws IOException, InterruptedException {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        final HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        final String text = r.body();
        return new Response(r.statusCode(), text == null || text.isEmpty() || !text.trim().startsWith("{")
                ? null : JsonParser.parseString(text), r);
    }

    URI uri(final String path) {
        return URI.create("http://127.0.0.1:" + broker.httpPort() + path);
    }
}
