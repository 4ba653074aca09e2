package org.openrtm.examples.watchchat;

import org.jetbrains.annotations.NotNull;
import org.openrtm.examples.ExampleOutcome;
import org.openrtm.examples.ExampleOutcomes;
import org.openrtm.examples.Sandbox;
import org.openrtm.examples.Waiter;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.PeerListener;
import org.openrtm.sdk.PeerMessage;
import org.openrtm.sdk.Receipt;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.SendOptions;
import org.openrtm.sdk.SendResult;
import org.openrtm.sdk.presence.OnlineState;
import org.openrtm.sdk.presence.PresenceEvent;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Watch chat: Ana chats from her phone with Leo, who wears a smartwatch that is often offline to save its battery.
 *
 * <ol>
 *   <li>The phone watches the watch's presence: it sees it online.</li>
 *   <li>Ana writes; the message is delivered, and the phone gets an end-to-end receipt when the watch has it.</li>
 *   <li>Leo answers from the watch.</li>
 *   <li>The watch goes to sleep (logs out): the phone sees it offline. Ana writes twice more: both messages are
 *       cached by the server.</li>
 *   <li>The watch wakes up: the phone sees it online, the watch gets both messages in order, marked as waited in the
 *       offline cache, and the phone gets their receipts.</li>
 * </ol>
 */
public final class WatchChat {

    /** The phone waits for the receipt of these messages, so it asks for one (receipts are sent on request). */
    private static final SendOptions WITH_RECEIPT = SendOptions.builder().receipt(true).build();

    /** The phone's uid. */
    public static final String PHONE = "ana-phone";
    /** The watch's uid. */
    public static final String WATCH = "leo-watch";

    /**
     * What the scenario observed.
     *
     * @param presenceSeen  the watch's states as the phone saw them, in order
     * @param sendStatuses  what the server did with each of Ana's messages, in order
     * @param watchReceived what the watch received, in order: text, and "(offline)" if it came from the cache
     * @param phoneReceived what the phone received from the watch
     * @param receipts      how many end-to-end receipts the phone got
     */
    public record Outcome(List<OnlineState> presenceSeen, List<DeliveryStatus> sendStatuses, List<String> watchReceived,
                          List<String> phoneReceived, int receipts) implements ExampleOutcome {
        @Override
        public @NotNull String summary() {
            return "the phone saw the watch " + ExampleOutcomes.words(presenceSeen) + "; its sends were "
                    + ExampleOutcomes.words(sendStatuses) + "; the watch got " + watchReceived.size()
                    + " messages, the phone " + phoneReceived.size() + " and " + receipts + " receipts";
        }
    }

    private final Sandbox sandbox;

    /**
     * @param sandbox where to run
     */
    public WatchChat(final @NotNull Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /**
     * Runs the scenario, narrating it on the sandbox's output.
     *
     * @return what happened
     * @throws Exception if a step fails or times out
     */
    public @NotNull Outcome run() throws Exception {
        final PrintStream out = sandbox.out();
        final Waiter<PresenceEvent> watchPresence = new Waiter<>();
        final Waiter<PeerMessage> phoneInbox = new Waiter<>();
        final Waiter<PeerMessage> watchInbox = new Waiter<>();
        final Waiter<Receipt> phoneReceipts = new Waiter<>();
        final List<OnlineState> presenceSeen = new ArrayList<>();
        final List<DeliveryStatus> statuses = new ArrayList<>();
        final List<String> watchReceived = new ArrayList<>();
        final List<String> phoneReceived = new ArrayList<>();

        try (RtmClient phone = sandbox.client(PHONE)
                .presenceListener(watchPresence::add)
                .peerListener(new PeerListener() {
                    @Override
                    public void onMessage(final @NotNull PeerMessage m) {
                        phoneInbox.add(m);
                    }

                    @Override
                    public void onReceipt(final @NotNull Receipt r) {
                        phoneReceipts.add(r);
                    }
                }).build();
             RtmClient watch = sandbox.client(WATCH).peerListener(new PeerListener() {
                 @Override
                 public void onMessage(final @NotNull PeerMessage m) {
                     watchInbox.add(m);
                 }
             }).build()) {

            watch.login().get(10, TimeUnit.SECONDS);
            phone.login().get(10, TimeUnit.SECONDS);
            out.println("[phone] logged in as " + PHONE + "; the watch logged in as " + WATCH);

            // 1. presence of the watch
            phone.presence().subscribe(List.of(WATCH)).get(10, TimeUnit.SECONDS);
            final PresenceEvent first = watchPresence.next("the watch's presence");
            presenceSeen.add(first.state());
            out.println("[phone] the watch is " + first.state());

            // 2. a message, delivered, with an end-to-end receipt
            final SendResult hello = phone.peer().send(WATCH, "Running late?", WITH_RECEIPT).get(10, TimeUnit.SECONDS);
            statuses.add(hello.status());
            out.println("[phone] sent 'Running late?': " + hello.status());
            final PeerMessage got = watchInbox.next("Ana's message on the watch");
            watchReceived.add(describe(got));
            out.println("[watch] " + got.from() + ": " + got.text());
            final Receipt seen = hello.receipt().get(10, TimeUnit.SECONDS);
            phoneReceipts.next("the receipt");
            out.println("[phone] receipt: the watch has message " + seen.messageId());

            // 3. the answer
            watch.peer().send(PHONE, "5 min").get(10, TimeUnit.SECONDS);
            final PeerMessage answer = phoneInbox.next("Leo's answer");
            phoneReceived.add(answer.text());
            out.println("[phone] " + answer.from() + ": " + answer.text());

            // 4. the watch sleeps; Ana keeps writing
            watch.logout().get(10, TimeUnit.SECONDS);
            out.println("[watch] going to sleep (logged out)");
            final PresenceEvent asleep = watchPresence.next("the watch going offline");
            presenceSeen.add(asleep.state());
            out.println("[phone] the watch is " + asleep.state());
            final List<SendResult> whileAsleep = new ArrayList<>();
            for (final String text : List.of("Where are you?", "I'm at the cafe")) {
                final SendResult r = phone.peer().send(WATCH, text, WITH_RECEIPT).get(10, TimeUnit.SECONDS);
                whileAsleep.add(r);
                statuses.add(r.status());
                out.println("[phone] sent '" + text + "': " + r.status());
            }

            // 5. the watch wakes up: presence, the cached messages in order, the receipts
            watch.login().get(10, TimeUnit.SECONDS);
            out.println("[watch] awake (logged in again)");
            final PresenceEvent awake = watchPresence.next("the watch coming back");
            presenceSeen.add(awake.state());
            out.println("[phone] the watch is " + awake.state());
            for (int i = 0; i < whileAsleep.size(); i++) {
                final PeerMessage m = watchInbox.next("a cached message");
                watchReceived.add(describe(m));
                out.println("[watch] " + m.from() + ": " + m.text() + (m.isOffline() ? "   (waited while offline)" : ""));
            }
            int receipts = 1;
            for (final SendResult r : whileAsleep) {
                r.receipt().get(10, TimeUnit.SECONDS);
                phoneReceipts.next("a receipt for a cached message");
                receipts++;
            }
            out.println("[phone] receipts for both: the watch has them");
            return new Outcome(presenceSeen, statuses, watchReceived, phoneReceived, receipts);
        }
    }

    private static String describe(final PeerMessage m) {
        return m.text() + (m.isOffline() ? " (offline)" : "");
    }
}
