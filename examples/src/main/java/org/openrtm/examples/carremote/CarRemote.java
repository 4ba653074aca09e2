package org.openrtm.examples.carremote;

import org.jetbrains.annotations.NotNull;
import org.openrtm.examples.ExampleOutcome;
import org.openrtm.examples.ExampleOutcomes;
import org.openrtm.examples.Sandbox;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.attribute.AttributeOwner;
import org.openrtm.sdk.call.CallListener;
import org.openrtm.sdk.call.InvitationOptions;
import org.openrtm.sdk.call.LocalInvitation;
import org.openrtm.sdk.call.RemoteInvitation;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Car remote control: a phone asks a car to unlock with a call invitation; the car accepts or refuses; an offline car
 * makes the request fail after the server's offline timeout.
 *
 * <ol>
 *   <li>The car is online. The phone invites it with the content {@code unlock 4711} (the PIN); the car checks the
 *       PIN, unlocks, records {@code locked=false} as its attribute and accepts with the response {@code unlocked}.</li>
 *   <li>A request with a wrong PIN: the car refuses with the response {@code wrong PIN}.</li>
 *   <li>The car is parked and asleep (logged out). The invitation waits on the server ({@code CACHED}) and fails with
 *       {@code PEER_OFFLINE} when the server's {@code call.offline-timeout} runs out.</li>
 * </ol>
 */
public final class CarRemote {

    /** The phone's uid. */
    public static final String PHONE = "leo-phone";
    /** The car's uid. */
    public static final String CAR = "car-42";
    /** The PIN the car accepts. */
    public static final String PIN = "4711";

    /**
     * What the scenario observed.
     *
     * @param sent     what the server did with each request, in order ({@code DELIVERED}, or {@code CACHED} while the
     *                 car is offline)
     * @param outcomes each request's end as "STATE response" or "FAILED reason", in order
     * @param locked   the car's {@code locked} attribute at the end
     */
    public record Outcome(List<DeliveryStatus> sent, List<String> outcomes, String locked) implements ExampleOutcome {
        @Override
        public @NotNull String summary() {
            return "the unlock requests were sent " + ExampleOutcomes.words(sent) + " and ended "
                    + ExampleOutcomes.words(outcomes) + "; the car's attribute locked is " + locked;
        }
    }

    private final Sandbox sandbox;

    /**
     * @param sandbox where to run
     */
    public CarRemote(final @NotNull Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** The car's side: checks the PIN of an unlock request, then accepts or refuses it. */
    private static final class Car implements CallListener {
        private final PrintStream out;
        private RtmClient client;

        Car(final PrintStream out) {
            this.out = out;
        }

        @Override
        public void onRemoteInvitationReceived(final @NotNull RemoteInvitation invitation) {
            out.println("[car] " + invitation.caller() + " asks: " + invitation.content());
            if (("unlock " + PIN).equals(invitation.content())) {
                // the answer and the write complete later; never wait inside a callback
                report("recording the unlock", client.attributes().merge(AttributeOwner.user(CAR), Map.of("locked", "false")));
                report("accepting", invitation.accept("unlocked"));
            } else {
                report("refusing", invitation.refuse("wrong PIN"));
            }
        }

        private void report(final String what, final CompletableFuture<?> f) {
            f.whenComplete((r, e) -> {
                if (e != null) {
                    out.println("[car] " + what + " failed: " + e.getMessage());
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
        final List<DeliveryStatus> sent = new ArrayList<>();
        final List<String> outcomes = new ArrayList<>();
        final Car carLogic = new Car(out);
        try (RtmClient car = sandbox.client(CAR).callListener(carLogic).build();
             RtmClient phone = sandbox.client(PHONE).callListener(new CallListener() {
                 @Override
                 public void onLocalInvitationReceivedByPeer(final @NotNull LocalInvitation invitation) {
                     out.println("[phone] the car has the request");
                 }
             }).build()) {
            carLogic.client = car;
            car.login().get(10, TimeUnit.SECONDS);
            car.attributes().merge(AttributeOwner.user(CAR), Map.of("locked", "true")).get(10, TimeUnit.SECONDS);
            phone.login().get(10, TimeUnit.SECONDS);
            out.println("[car] online, locked");

            // 1. and 2. the right PIN, then a wrong one
            for (final String pin : List.of(PIN, "0000")) {
                final LocalInvitation request = phone.calls().invite(CAR, InvitationOptions.builder()
                        .content("unlock " + pin).build());
                sent.add(request.sent().get(10, TimeUnit.SECONDS));
                final LocalInvitation.State end = request.outcome().get(30, TimeUnit.SECONDS);
                outcomes.add(end + " " + request.response());
                out.println("[phone] unlock with PIN " + pin + ": " + end + " (" + request.response() + ")");
            }

            // 3. the car sleeps: the request waits on the server, then fails
            car.logout().get(10, TimeUnit.SECONDS);
            out.println("[car] parked and asleep (offline)");
            final LocalInvitation request = phone.calls().invite(CAR, InvitationOptions.builder()
                    .content("unlock " + PIN).build());
            sent.add(request.sent().get(10, TimeUnit.SECONDS));
            out.println("[phone] unlock request: " + sent.get(2) + " (the server waits for the car)");
            final LocalInvitation.State end = request.outcome().get(120, TimeUnit.SECONDS);
            outcomes.add(end + " " + request.failureReason());
            out.println("[phone] unlock request: " + end + " " + request.failureReason()
                    + " (the car did not come online in time)");
            final String locked = phone.attributes().get(AttributeOwner.user(CAR), List.of("locked"))
                    .get(10, TimeUnit.SECONDS).get("locked").text();
            out.println("[phone] the car's last known state: locked=" + locked);
            return new Outcome(sent, outcomes, locked);
        }
    }
}
