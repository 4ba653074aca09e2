package org.openrtm.examples.smarthome;

import org.jetbrains.annotations.NotNull;
import org.openrtm.examples.ExampleOutcome;
import org.openrtm.examples.ExampleOutcomes;
import org.openrtm.examples.Sandbox;
import org.openrtm.examples.Waiter;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.PeerListener;
import org.openrtm.sdk.PeerMessage;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.SendOptions;
import org.openrtm.sdk.attribute.Attribute;
import org.openrtm.sdk.attribute.AttributeEvent;
import org.openrtm.sdk.attribute.AttributeOwner;
import org.openrtm.sdk.presence.OnlineState;
import org.openrtm.sdk.presence.PresenceEvent;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Smart home: a hub that switches the lights of a house, and the phone app that controls it.
 *
 * <ol>
 *   <li>The hub comes online and publishes the state of its devices as its user attributes ({@code light.kitchen},
 *       {@code light.porch}, its firmware).</li>
 *   <li>The app watches the hub's presence (online) and its attributes (the current state, then every change).</li>
 *   <li>The app switches the kitchen light on: a peer message that must not wait ({@code offline(false)}); the send says
 *       {@code DELIVERED}. The hub switches the light and updates its attribute; the app sees the new state.</li>
 *   <li>The hub loses power (logs out): the app sees it offline. A command now says {@code UNREACHABLE} at once instead
 *       of waiting, and the app still shows the last known state, read from the attributes, which outlive the
 *       hub's session.</li>
 * </ol>
 */
public final class SmartHome {

    /** The hub's uid. */
    public static final String HUB = "home-hub";
    /** The app's uid. */
    public static final String APP = "ana-app";

    /**
     * What the scenario observed.
     *
     * @param hubPresence    the hub's states as the app saw them, in order
     * @param commandResults what the server did with each command, in order
     * @param stateChanges   the attribute changes the app saw after its watch started, as "key=value"
     * @param lastKnown      the hub's attributes the app read while the hub was offline
     */
    public record Outcome(List<OnlineState> hubPresence, List<DeliveryStatus> commandResults, List<String> stateChanges,
                          Map<String, String> lastKnown) implements ExampleOutcome {
        @Override
        public @NotNull String summary() {
            return "the app saw the hub " + ExampleOutcomes.words(hubPresence) + "; its commands were "
                    + ExampleOutcomes.words(commandResults) + "; the hub reported " + ExampleOutcomes.words(stateChanges)
                    + "; last known state " + ExampleOutcomes.words(lastKnown);
        }
    }

    private final Sandbox sandbox;

    /**
     * @param sandbox where to run
     */
    public SmartHome(final @NotNull Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** The hub's side: a command "light.kitchen on" switches the light and updates the attribute. */
    private static final class Hub implements PeerListener {
        private final PrintStream out;
        /** The new states the hub recorded, as "key=value". */
        final Waiter<String> recorded = new Waiter<>();
        private RtmClient client;

        Hub(final PrintStream out) {
            this.out = out;
        }

        @Override
        public void onMessage(final @NotNull PeerMessage m) {
            final String[] command = m.text().split(" ");
            if (command.length != 2 || !command[0].startsWith("light.")) {
                out.println("[hub] ignoring '" + m.text() + "' from " + m.from());
                return;
            }
            out.println("[hub] " + m.from() + " says: " + command[0] + " " + command[1] + "; switching");
            // never wait inside a callback: the write completes later, on the callback thread
            client.attributes().merge(AttributeOwner.user(HUB), Map.of(command[0], command[1]))
                    .whenComplete((revisions, e) -> {
                        if (e != null) {
                            out.println("[hub] could not record the new state: " + e.getMessage());
                        } else {
                            recorded.add(command[0] + "=" + command[1]);
                        }
                    });
        }
    }

    /**
     * Runs the scenario, narrating it on the sandbox's output.
     *
     * @return what happened
     * @throws Exception if a step fails or times out
     */
    public @NotNull Outcome run() throws Exception {
        final PrintStream out = sandbox.out();
        final Waiter<PresenceEvent> presence = new Waiter<>();
        final Waiter<AttributeEvent> state = new Waiter<>();
        final List<OnlineState> hubPresence = new ArrayList<>();
        final List<DeliveryStatus> results = new ArrayList<>();
        final List<String> changes = new ArrayList<>();
        final AttributeOwner hubState = AttributeOwner.user(HUB);
        final Hub hubLogic = new Hub(out);

        try (RtmClient hub = sandbox.client(HUB).peerListener(hubLogic).build();
             RtmClient app = sandbox.client(APP).presenceListener(presence::add).attributeListener(state::add).build()) {
            hubLogic.client = hub;
            // 1. the hub comes online and tells the state of its devices
            hub.login().get(10, TimeUnit.SECONDS);
            hub.attributes().merge(hubState, Map.of("light.kitchen", "off", "light.porch", "off", "fw", "2.4.1"))
                    .get(10, TimeUnit.SECONDS);
            out.println("[hub] online; lights off, firmware 2.4.1");

            // 2. the app watches the hub
            app.login().get(10, TimeUnit.SECONDS);
            app.presence().subscribe(List.of(HUB)).get(10, TimeUnit.SECONDS);
            hubPresence.add(presence.next("the hub's presence").state());
            out.println("[app] the hub is " + hubPresence.get(0));
            app.attributes().subscribe(hubState).get(10, TimeUnit.SECONDS);
            final Map<String, String> shown = new TreeMap<>();
            for (int i = 0; i < 3; i++) {
                final AttributeEvent e = state.next("the hub's state");
                shown.put(e.key(), e.attribute() == null ? "-" : e.attribute().text());
            }
            out.println("[app] shows " + shown);

            // 3. a command that must not wait: delivered, and the state follows
            final SendOptions now = SendOptions.builder().offline(false).build();
            results.add(app.peer().send(HUB, "light.kitchen on", now).get(10, TimeUnit.SECONDS).status());
            out.println("[app] 'kitchen light on': " + results.get(0));
            final AttributeEvent kitchen = state.next("the kitchen light's new state");
            changes.add(kitchen.key() + "=" + kitchen.attribute().text());
            out.println("[app] the hub reports " + changes.get(0) + " (revision " + kitchen.revision() + ")");
            hubLogic.recorded.next("the hub's confirmation of its write");

            // 4. the hub loses power: commands are unreachable, the last known state stays readable
            hub.logout().get(10, TimeUnit.SECONDS);
            hubPresence.add(presence.next("the hub going offline").state());
            out.println("[app] the hub is " + hubPresence.get(1));
            results.add(app.peer().send(HUB, "light.porch on", now).get(10, TimeUnit.SECONDS).status());
            out.println("[app] 'porch light on': " + results.get(1) + " (the hub is offline; nothing was queued)");
            final Map<String, String> lastKnown = new TreeMap<>();
            for (final Map.Entry<String, Attribute> e : app.attributes().get(hubState).get(10, TimeUnit.SECONDS)
                    .entrySet()) {
                lastKnown.put(e.getKey(), e.getValue().text());
            }
            out.println("[app] last known state of the hub: " + lastKnown);
            return new Outcome(hubPresence, results, changes, lastKnown);
        }
    }
}
