package org.openrtm.gateway.config;

import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Limits;

import java.time.Duration;
import java.util.List;

/**
 * Every configuration key of the CoAP gateway, with its default, range and description. The README's settings
 * table is generated from this list (a test keeps the two equal).
 */
public final class GatewaySettings {

    // ---------------------------------------------------------------------------------------------------- listeners
    public static final Definition<String> BIND_ADDRESS = Definition.ofString("coap.bind-address", "127.0.0.1",
            "Address the CoAP and CoAPS listeners bind to (0.0.0.0 for every interface).");
    public static final Definition<Integer> COAP_PORT = Definition.ofInt("coap.port", 5683, -1, 65535,
            "UDP port of plain CoAP; 0 picks a free port, -1 turns plain CoAP off.");
    public static final Definition<Integer> COAPS_PORT = Definition.ofInt("coaps.port", 5684, -1, 65535,
            "UDP port of CoAP over DTLS 1.2; 0 picks a free port, -1 turns CoAPS off.");

    public static final Definition<String> NOSEC = Definition.ofChoice("coap.nosec", "loopback",
            List.of("loopback", "any"),
            "Which devices may use plain CoAP (NoSec, no DTLS): loopback (default; requests from other addresses get "
                    + "4.03) or any. Without DTLS a source address proves nothing; see 'What NoSec CoAP protects' in "
                    + "gateway-coap/README.md before allowing any.");

    // ---------------------------------------------------------------------------------------------------------- mqtt
    public static final Definition<String> MQTT_SERVER = Definition.ofString("mqtt.server", "tcp://127.0.0.1:1883",
            "The MQTT broker with the OpenRTM extension that device sessions are opened on, as tcp://host:port.");
    public static final Definition<Duration> MQTT_KEEP_ALIVE = Definition.ofDuration("mqtt.keep-alive",
            Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofHours(18),
            "MQTT keep-alive of each device session between the gateway and the broker (the gateway pings for the "
                    + "device; it is unrelated to the device's own keep-alive).");
    public static final Definition<Integer> MQTT_RECEIVE_MAXIMUM = Definition.ofInt("mqtt.receive-maximum", 16, 1, 65535,
            "How many QoS 1 messages the broker may hand one device session before the device acknowledged them.");
    public static final Definition<Duration> MQTT_CONNECT_TIMEOUT = Definition.ofDuration("mqtt.connect-timeout",
            Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5),
            "How long a login waits for the broker's CONNACK before it fails with 5.03.");

    // ------------------------------------------------------------------------------------------------------ sessions
    public static final Definition<Duration> KEEP_ALIVE = Definition.ofDuration("session.keep-alive",
            Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofDays(1),
            "Keep-alive of a device session that does not ask for one (login query ka=SECONDS): a session silent for "
                    + "longer is lost (presence unreachable, then offline).");
    public static final Definition<Duration> KEEP_ALIVE_MIN = Definition.ofDuration("session.keep-alive-min",
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofDays(1),
            "Smallest keep-alive a device may ask for; smaller requests are raised to it.");
    public static final Definition<Duration> KEEP_ALIVE_MAX = Definition.ofDuration("session.keep-alive-max",
            Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofDays(1),
            "Largest keep-alive a device may ask for; larger requests are lowered to it.");
    public static final Definition<Integer> MAX_SESSIONS = Definition.ofInt("session.max", 20_000, 1, 1_000_000,
            "Most device sessions at once; a login beyond it gets 5.03 Service Unavailable.");

    public static final Definition<Integer> MAX_OBSERVATIONS = Definition.ofInt("session.max-observations", 64, 1,
            10_000, "Most observations one device session may hold at once; one more gets 4.03 naming this limit.");
    public static final Definition<Integer> LOGIN_RATE_PER_ADDRESS = Definition.ofInt("session.login-rate-per-address",
            5, 1, 1_000_000, "Logins (good or bad) per second one source IP address may make, after its burst; more "
                    + "get 4.29 with Max-Age. Many devices behind one NAT share it: raise it for them.");
    public static final Definition<Integer> LOGIN_BURST_PER_ADDRESS = Definition.ofInt(
            "session.login-burst-per-address", 50, 1, 1_000_000,
            "Logins one source IP address may make at once before session.login-rate-per-address applies.");
    public static final Definition<Boolean> LOGIN_THROTTLE_LOOPBACK = Definition.ofBoolean(
            "session.login-throttle-loopback", false,
            "Whether loopback addresses (local processes, test and benchmark fleets) have a per-address login limit "
                    + "too; they are always under session.login-rate.");
    public static final Definition<Integer> LOGIN_RATE = Definition.ofInt("session.login-rate", 2_000, 1, 1_000_000,
            "Logins per second the whole gateway accepts, after its burst; more get 4.29 with Max-Age.");
    public static final Definition<Integer> LOGIN_BURST = Definition.ofInt("session.login-burst", 10_000, 1, 1_000_000,
            "Logins the whole gateway accepts at once before session.login-rate applies.");

    // ---------------------------------------------------------------------------------------------------------- coap
    public static final Definition<Integer> MAX_BODY_BYTES = Definition.ofInt("coap.max-body-bytes",
            Limits.MAX_PAYLOAD_BYTES, 16, 1_048_576,
            "Largest request or response body, assembled from blocks (RFC 7959); a larger request gets 4.13.");
    public static final Definition<String> BLOCK_SIZE = Definition.ofChoice("coap.block-size", "512",
            List.of("16", "32", "64", "128", "256", "512", "1024"),
            "Block size of block-wise transfers; bodies larger than one block are sent in blocks, and a request "
                    + "whose single datagram carries more gets 4.13 with this size as its Block1 option.");
    public static final Definition<Duration> ACK_TIMEOUT = Definition.ofDuration("coap.ack-timeout",
            Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMinutes(1),
            "RFC 7252 ACK_TIMEOUT: first retransmission of a confirmable message (notifications), doubled each time.");
    public static final Definition<Integer> MAX_RETRANSMIT = Definition.ofInt("coap.max-retransmit", 4, 0, 10,
            "RFC 7252 MAX_RETRANSMIT: retransmissions of a confirmable notification before its observer is removed.");
    public static final Definition<Duration> READ_WINDOW = Definition.ofDuration("coap.read-window",
            Duration.ofMillis(300), Duration.ofMillis(10), Duration.ofSeconds(10),
            "How long a GET without Observe waits for the retained value of a topic before answering 4.04.");
    public static final Definition<Duration> TRANSFER_TIMEOUT = Definition.ofDuration("coap.transfer-timeout",
            Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMinutes(10),
            "How long a device may take to fetch the remaining blocks of a notification before its observation is "
                    + "dropped (the message stays undelivered and is sent again on the next observation).");

    // ---------------------------------------------------------------------------------------------------------- dtls
    public static final Definition<String> PSK = Definition.ofChoice("coaps.psk", "derived",
            List.of("derived", "file", "off"),
            "Where device pre-shared keys come from: derived (HMAC-SHA256 of the deployment secret and the uid, see "
                    + "the psk command), file (coaps.psk-file), or off (certificates only).");
    public static final Definition<String> PSK_FILE = Definition.ofString("coaps.psk-file", "",
            "With coaps.psk=file: a properties file of uid = key (hex, or base64 with a 'base64:' prefix).");
    public static final Definition<Integer> CID_LENGTH = Definition.ofInt("coaps.connection-id-length", 6, 0, 16,
            "Length of the DTLS Connection ID (RFC 9146) the gateway assigns, so a device keeps its DTLS session "
                    + "when its address changes; 0 turns Connection IDs off.");
    public static final Definition<String> KEY_STORE = Definition.ofString("coaps.key-store", "",
            "A PKCS#12 file with the gateway's private key and certificate chain, to offer certificate-based "
                    + "cipher suites (optional).");
    public static final Definition<String> KEY_STORE_PASSWORD = Definition.ofString("coaps.key-store-password", "",
            "Password of coaps.key-store.");
    public static final Definition<String> TRUST_STORE = Definition.ofString("coaps.trust-store", "",
            "A PKCS#12 file of CA certificates that device certificates must chain to; set it to accept devices "
                    + "that authenticate with a certificate whose subject CN is their uid.");
    public static final Definition<String> TRUST_STORE_PASSWORD = Definition.ofString("coaps.trust-store-password", "",
            "Password of coaps.trust-store.");

    private static final List<Definition<?>> ALL = List.of(
            BIND_ADDRESS, COAP_PORT, COAPS_PORT, NOSEC,
            MQTT_SERVER, MQTT_KEEP_ALIVE, MQTT_RECEIVE_MAXIMUM, MQTT_CONNECT_TIMEOUT,
            KEEP_ALIVE, KEEP_ALIVE_MIN, KEEP_ALIVE_MAX, MAX_SESSIONS, MAX_OBSERVATIONS,
            LOGIN_RATE_PER_ADDRESS, LOGIN_BURST_PER_ADDRESS, LOGIN_THROTTLE_LOOPBACK, LOGIN_RATE, LOGIN_BURST,
            MAX_BODY_BYTES, BLOCK_SIZE, ACK_TIMEOUT, MAX_RETRANSMIT, READ_WINDOW, TRANSFER_TIMEOUT,
            PSK, PSK_FILE, CID_LENGTH, KEY_STORE, KEY_STORE_PASSWORD, TRUST_STORE, TRUST_STORE_PASSWORD);

    private GatewaySettings() {
    }

    /** Every definition, in documentation order. */
    public static @NotNull List<Definition<?>> all() {
        return ALL;
    }
}
