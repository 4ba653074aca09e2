package org.openrtm.examples.smartplug;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.examples.Waiter;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The smart plug's firmware, reduced to what talks to the server: a CoAP client (Eclipse Californium) that logs in to
 * the gateway with its token, reports its state as user attributes ({@code PUT /rtm/user/PLUG/attr/power}) and as a
 * message to whoever commanded it, and receives commands by observing its inbox ({@code GET /rtm/user/PLUG/inbox}
 * with Observe). Plain UDP, no MQTT, no TCP: what a cheap plug on a constrained network speaks.
 *
 * <p>Commands are JSON, {@code {"power":"on"}} or {@code {"power":"off"}}; reports are
 * {@code {"power":"on","watts":42}}. Notifications arrive on Californium's threads and wait in a queue until the
 * firmware loop ({@link #obeyNextCommand()}) takes them. Not thread-safe apart from that queue.
 */
public final class PlugDevice implements AutoCloseable {

    /**
     * A command as the plug received it.
     *
     * @param from    who sent it
     * @param power   {@code on} or {@code off}
     * @param offline whether it waited in the server's offline cache while the plug was away
     */
    public record Command(@NotNull String from, @NotNull String power, boolean offline) {
    }

    private final String uid;
    private final String base;
    private final CoapEndpoint endpoint;
    private final CoapClient client;
    private final Waiter<CoapResponse> inbox = new Waiter<>();
    private @Nullable String sid;
    private @Nullable CoapObserveRelation observation;
    private String power = "off";
    private long powerRevision;

    /**
     * A plug, not logged in.
     *
     * @param uid     its uid
     * @param gateway the gateway's CoAP address
     * @throws IOException if its UDP socket cannot be opened
     */
    public PlugDevice(final @NotNull String uid, final @NotNull InetSocketAddress gateway) throws IOException {
        this.uid = uid;
        this.base = "coap://" + gateway.getHostString() + ":" + gateway.getPort();
        // an explicit configuration: Californium's standard one would read and write a properties file in the cwd
        final Configuration config = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        this.endpoint = CoapEndpoint.builder().setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(gateway.getAddress(), 0)).build();
        endpoint.start();
        this.client = new CoapClient().setEndpoint(endpoint).setTimeout(10_000L);
    }

    /** The plug's power state. */
    public @NotNull String power() {
        return power;
    }

    /** The revision of the {@code power} attribute after the plug's latest report of it (0 before the first). */
    public long powerRevision() {
        return powerRevision;
    }

    /**
     * Logs in ({@code POST /session?u=UID&ka=60} with the token) and starts observing the inbox.
     *
     * @param token the plug's token
     * @throws IOException if the gateway refuses or does not answer
     */
    public void wakeUp(final @NotNull String token) throws IOException {
        final Request login = Request.newPost();
        login.setPayload(token);
        final CoapResponse r = send(login, "/session?u=" + uid + "&ka=60");
        expect(r, ResponseCode.CREATED, "login");
        sid = r.getOptions().getLocationPath().get(1);
        final Request observe = Request.newGet();
        observe.setObserve();
        observe.setURI(base + "/rtm/user/" + uid + "/inbox?s=" + sid);
        try {
            observation = client.observeAndWait(observe, new CoapHandler() {
                @Override
                public void onLoad(final CoapResponse response) {
                    if (response.getPayload().length > 0) {
                        inbox.add(response);
                    }
                }

                @Override
                public void onError() {
                    // a lost observation shows as a command that never comes
                }
            });
        } catch (final ConnectorException e) {
            throw new IOException("observing the inbox failed: " + e.getMessage(), e);
        }
        if (observation == null || observation.isCanceled()) {
            throw new IOException("the gateway did not accept the observation of the inbox");
        }
    }

    /**
     * Reports a state as a user attribute ({@code PUT}); anyone may read it, and it stays known while the plug sleeps.
     *
     * @param key   the attribute
     * @param value its value
     * @return the attribute's new revision
     * @throws IOException if the write is refused
     */
    public long report(final @NotNull String key, final @NotNull String value) throws IOException {
        final Request put = Request.newPut();
        put.setPayload(value);
        put.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
        final CoapResponse r = send(put, "/rtm/user/" + uid + "/attr/" + key + "?s=" + sid);
        expect(r, ResponseCode.CHANGED, "attribute " + key);
        final long revision = Long.parseLong(r.getResponseText());
        if ("power".equals(key)) {
            powerRevision = revision;
        }
        return revision;
    }

    /**
     * Waits for the next command, switches, reports the new state as the {@code power} attribute and tells the sender.
     *
     * @return the command
     * @throws IOException          if a report is refused
     * @throws InterruptedException if interrupted while waiting
     */
    public @NotNull Command obeyNextCommand() throws IOException, InterruptedException {
        final CoapResponse n = inbox.next("a command in the plug's inbox");
        final JsonObject envelope = JsonParser.parseString(n.getResponseText()).getAsJsonObject();
        final String topic = envelope.get("topic").getAsString();
        final String from = topic.substring(topic.lastIndexOf('/') + 1);
        final JsonObject body = JsonParser.parseString(envelope.get("payload").getAsString()).getAsJsonObject();
        final Command c = new Command(from, body.get("power").getAsString(), envelope.has("offline"));
        power = "on".equals(c.power()) ? "on" : "off";
        report("power", power);
        final Request post = Request.newPost();
        post.setPayload("{\"power\":\"" + power + "\",\"watts\":" + ("on".equals(power) ? 42 : 0) + "}");
        post.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        final CoapResponse r = send(post, "/rtm/user/" + from + "/inbox?s=" + sid);
        if (r.getCode() != ResponseCode.CHANGED && r.getCode() != ResponseCode.CREATED) {
            throw new IOException("the report to " + from + " was refused: " + r.getCode() + " " + r.getResponseText());
        }
        return c;
    }

    /**
     * Logs out ({@code DELETE /session/SID}): the server shows the plug offline at once and keeps commands for it.
     *
     * @throws IOException if the gateway does not answer
     */
    public void sleep() throws IOException {
        if (observation != null) {
            observation.proactiveCancel();
            observation = null;
        }
        expect(send(Request.newDelete(), "/session/" + sid), ResponseCode.DELETED, "logout");
        sid = null;
    }

    private CoapResponse send(final Request request, final String pathAndQuery) throws IOException {
        request.setURI(base + pathAndQuery);
        try {
            final CoapResponse r = client.advanced(request);
            if (r == null) {
                throw new IOException("no answer from the gateway to " + request.getCode() + " " + pathAndQuery);
            }
            return r;
        } catch (final ConnectorException e) {
            throw new IOException("CoAP request failed: " + e.getMessage(), e);
        }
    }

    private static void expect(final CoapResponse r, final ResponseCode code, final String what) throws IOException {
        if (r.getCode() != code) {
            throw new IOException(what + " answered " + r.getCode() + " " + r.getResponseText() + ", expected " + code);
        }
    }

    /** Stops the plug's CoAP endpoint. */
    @Override
    public void close() {
        client.shutdown();
        endpoint.destroy();
    }

    @Override
    public String toString() {
        return "PlugDevice{" + uid + ", power " + power + "}";
    }
}
