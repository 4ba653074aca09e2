package org.openrtm.examples.smartplug;

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
import org.openrtm.sdk.SendResult;
import org.openrtm.sdk.presence.PresenceEvent;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Smart plug: a cheap plug in Tom's kitchen ({@code plug-kitchen}) speaks CoAP over UDP to the gateway; Tom's phone
 * app ({@code tom-phone}) speaks MQTT through the device SDK. Neither knows how the other is connected.
 *
 * <ol>
 *   <li>The plug wakes up: it logs in over CoAP, reports {@code model} and {@code power} as user attributes and
 *       observes its inbox. The phone watches the plug's presence: {@code ONLINE}, via {@code coap}.</li>
 *   <li>Tom switches the plug on: the command is {@code DELIVERED}; the phone's end-to-end receipt comes when the plug
 *       acknowledged the CoAP notification that carried it. The plug switches, updates its {@code power} attribute
 *       and reports back to the phone.</li>
 *   <li>The plug goes to sleep (logs out): the phone sees it {@code OFFLINE}. Tom switches it off anyway: the command
 *       is {@code CACHED} by the server.</li>
 *   <li>The plug wakes up: the phone sees it {@code ONLINE}; the waiting command arrives marked offline; the plug
 *       obeys and reports.</li>
 * </ol>
 */
public final class SmartPlug {

    /** The phone waits for the receipt of these messages, so it asks for one (receipts are sent on request). */
    private static final SendOptions WITH_RECEIPT = SendOptions.builder().receipt(true).build();

    /** The plug's uid. */
    public static final String PLUG = "plug-kitchen";
    /** The phone's uid. */
    public static final String PHONE = "tom-phone";

    /**
     * What the scenario observed.
     *
     * @param presenceSeen  the plug's presence as the phone saw it, in order ({@code STATE via})
     * @param sendStatuses  what the server did with each command, in order
     * @param commandsSeen  the commands as the plug got them ({@code on}, {@code off (offline)})
     * @param reports       the plug's reports as the phone received them
     * @param receipts      end-to-end receipts the phone got for its commands
     * @param powerRevision the revision of the plug's {@code power} attribute at the end
     * @param finalPower    the plug's power state at the end
     */
    public record Outcome(List<String> presenceSeen, List<DeliveryStatus> sendStatuses, List<String> commandsSeen,
                          List<String> reports, int receipts, long powerRevision, String finalPower)
            implements ExampleOutcome {
        @Override
        public @NotNull String summary() {
            return "the phone saw the plug " + ExampleOutcomes.words(presenceSeen) + "; its commands were "
                    + ExampleOutcomes.words(sendStatuses) + "; the plug obeyed " + ExampleOutcomes.words(commandsSeen)
                    + " and reported " + reports.size() + " times; " + receipts + " receipts; the plug is "
                    + finalPower + " (power attribute at revision " + powerRevision + ")";
        }
    }

    private final Sandbox sandbox;
    private final CoapAccess coap;

    /**
     * @param sandbox where the phone connects and the narration goes
     * @param coap    where the plug connects
     */
    public SmartPlug(final @NotNull Sandbox sandbox, final @NotNull CoapAccess coap) {
        this.sandbox = sandbox;
        this.coap = coap;
    }

    /**
     * Runs the scenario, narrating it on the sandbox's output.
     *
     * @return what happened
     * @throws Exception if a step fails or times out
     */
    public @NotNull Outcome run() throws Exception {
        final PrintStream out = sandbox.out();
        final Waiter<PresenceEvent> plugPresence = new Waiter<>();
        final Waiter<PeerMessage> phoneInbox = new Waiter<>();
        final List<String> presenceSeen = new ArrayList<>();
        final List<DeliveryStatus> statuses = new ArrayList<>();
        final List<String> commands = new ArrayList<>();
        final List<String> reports = new ArrayList<>();
        int receipts = 0;

        try (PlugDevice plug = new PlugDevice(PLUG, coap.coapAddress());
             RtmClient phone = sandbox.client(PHONE).presenceListener(plugPresence::add).peerListener(new PeerListener() {
                 @Override
                 public void onMessage(final @NotNull PeerMessage m) {
                     phoneInbox.add(m);
                 }
             }).build()) {

            // 1. the plug wakes up and reports its state; the phone sees it
            plug.wakeUp(coap.token(PLUG));
            plug.report("model", "KP-115");
            plug.report("power", plug.power());
            out.println("[plug] logged in over CoAP; reported model KP-115, power " + plug.power());
            phone.login().get(10, TimeUnit.SECONDS);
            phone.presence().subscribe(List.of(PLUG)).get(10, TimeUnit.SECONDS);
            presenceSeen.add(seen(plugPresence.next("the plug's presence"), out));

            // 2. on: delivered, obeyed, receipted, reported
            final SendResult on = phone.peer().send(PLUG, "{\"power\":\"on\"}", WITH_RECEIPT).get(10, TimeUnit.SECONDS);
            statuses.add(on.status());
            out.println("[phone] switch on: " + on.status());
            commands.add(obey(plug, out));
            on.receipt().get(10, TimeUnit.SECONDS);
            receipts++;
            out.println("[phone] receipt: the plug has the command");
            reports.add(report(phoneInbox, out));

            // 3. the plug sleeps; Tom switches it off anyway
            plug.sleep();
            out.println("[plug] going to sleep (logged out)");
            presenceSeen.add(seen(plugPresence.next("the plug going offline"), out));
            final SendResult off = phone.peer().send(PLUG, "{\"power\":\"off\"}", WITH_RECEIPT).get(10, TimeUnit.SECONDS);
            statuses.add(off.status());
            out.println("[phone] switch off: " + off.status() + " (the server keeps it for the plug)");

            // 4. the plug wakes up and obeys the waiting command
            plug.wakeUp(coap.token(PLUG));
            out.println("[plug] awake (logged in again)");
            presenceSeen.add(seen(plugPresence.next("the plug coming back"), out));
            commands.add(obey(plug, out));
            off.receipt().get(10, TimeUnit.SECONDS);
            receipts++;
            reports.add(report(phoneInbox, out));
            out.println("[plug] its power attribute is at revision " + plug.powerRevision());
            return new Outcome(presenceSeen, statuses, commands, reports, receipts, plug.powerRevision(), plug.power());
        }
    }

    private static String seen(final PresenceEvent e, final PrintStream out) {
        out.println("[phone] the plug is " + e.state() + " (via " + e.via() + ")");
        return e.state() + " " + e.via();
    }

    private static String obey(final PlugDevice plug, final PrintStream out) throws Exception {
        final PlugDevice.Command c = plug.obeyNextCommand();
        final String seen = c.power() + (c.offline() ? " (offline)" : "");
        out.println("[plug] " + c.from() + " says power " + c.power() + (c.offline() ? "   (waited while asleep)" : "")
                + ": now " + plug.power());
        return seen;
    }

    private static String report(final Waiter<PeerMessage> inbox, final PrintStream out) throws InterruptedException {
        final PeerMessage m = inbox.next("the plug's report");
        out.println("[phone] " + m.from() + " reports " + m.text());
        return m.text();
    }
}
