package org.openrtm.broker.http;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps /openapi.json true: it documents exactly the operations the server has, with their access rules. */
class OpenApiIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void openApi_documentsExactlyTheServedOperations() throws Exception {
        final JsonObject doc = new Rest(broker).get("/openapi.json", null).body().getAsJsonObject();
        assertThat(doc.get("openapi").getAsString()).startsWith("3.");
        final Set<String> documented = new TreeSet<>();
        final JsonObject paths = doc.getAsJsonObject("paths");
        for (final String path : paths.keySet()) {
            for (final String method : paths.getAsJsonObject(path).keySet()) {
                documented.add(method.toUpperCase(Locale.ROOT) + " " + path);
                final JsonObject op = paths.getAsJsonObject(path).getAsJsonObject(method);
                assertThat(op.has("operationId")).as(method + " " + path).isTrue();
                assertThat(op.getAsJsonObject("responses").keySet()).as(method + " " + path).contains("401", "403", "429");
                for (final var p : op.has("parameters") ? op.getAsJsonArray("parameters") : new com.google.gson.JsonArray()) {
                    if (p.getAsJsonObject().get("in").getAsString().equals("path")) {
                        assertThat(path).contains("{" + p.getAsJsonObject().get("name").getAsString() + "}");
                    }
                }
            }
        }
        final Set<String> served = new TreeSet<>();
        for (final Route r : broker.broker().http().routes()) {
            served.add(r.method() + " " + r.pattern());
            final JsonObject op = paths.getAsJsonObject(r.pattern()).getAsJsonObject(r.method().toLowerCase(Locale.ROOT));
            assertThat(op.getAsJsonObject("responses").has(Integer.toString(r.status())))
                    .as("documented success status of " + r.method() + " " + r.pattern()).isTrue();
            assertThat(op.get("description").getAsString()).as("access of " + r.method() + " " + r.pattern())
                    .endsWith(r.access() == Route.Access.ADMIN ? "Role admin." : "Roles service and admin.");
        }
        assertThat(documented).isEqualTo(served);
    }

    @Test
    void everyRequestBody_acceptsExactlyTheDocumentedFields() throws Exception {
        final Rest rest = new Rest(broker);
        final String admin = broker.token("oa-admin", Role.ADMIN);
        final JsonObject paths = rest.get("/openapi.json", null).body().getAsJsonObject().getAsJsonObject("paths");
        int bodies = 0;
        for (final String path : paths.keySet()) {
            for (final String method : paths.getAsJsonObject(path).keySet()) {
                final JsonObject op = paths.getAsJsonObject(path).getAsJsonObject(method);
                if (!op.has("requestBody")) {
                    continue;
                }
                bodies++;
                final JsonObject schema = op.getAsJsonObject("requestBody").getAsJsonObject("content")
                        .getAsJsonObject("application/json").getAsJsonObject("schema");
                assertThat(schema.get("additionalProperties").getAsBoolean()).as(method + " " + path).isFalse();
                final String concrete = path.replace("{uid}", "oa-user").replace("{cid}", "oa-room");
                final Rest.Response r = rest.send(java.net.http.HttpRequest.newBuilder(rest.uri(concrete))
                        .header("Content-Type", "application/json").method(method.toUpperCase(Locale.ROOT),
                                java.net.http.HttpRequest.BodyPublishers.ofString("{\"zz-unknown\":1}")), admin);
                assertThat(r.status()).as(method + " " + path).isEqualTo(400);
                final String prefix = "unknown field 'zz-unknown'; the fields are ";
                assertThat(r.message()).as(method + " " + path).startsWith(prefix);
                assertThat(new TreeSet<>(List.of(r.message().substring(prefix.length()).split(", "))))
                        .as("fields of " + method + " " + path)
                        .isEqualTo(new TreeSet<>(schema.getAsJsonObject("properties").keySet()));
            }
        }
        assertThat(bodies).isEqualTo(9);
    }
}
