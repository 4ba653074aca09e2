package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;
import org.openrtm.sdk.attribute.Attribute;
import org.openrtm.sdk.attribute.AttributeEvent;
import org.openrtm.sdk.attribute.AttributeOwner;
import org.openrtm.sdk.attribute.AttributeUpdate;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.openrtm.sdk.testing.Recorder.next;

/** Attributes of users and channels: reads, writes, compare-and-set, limits, permissions, watching. */
class AttributesIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "attr.max-value-bytes", "64", "attr.max-keys", "4"));

    private static <T> T get(final CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(final CompletableFuture<?> f) {
        return catchThrowableOfType(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
    }

    @Test
    void userAttributes_mergeSetDeleteClear_withRevisions_readableByAnyone() throws Exception {
        try (RtmClient car = TestClients.loggedIn(broker, "car1", new Recorder());
             RtmClient app = TestClients.loggedIn(broker, "app1", new Recorder())) {
            final AttributeOwner carAttrs = AttributeOwner.user("car1");
            assertThat(get(car.attributes().merge(carAttrs, Map.of("fw", "1.0", "battery", "80"))))
                    .containsExactly(Map.entry("battery", 1L), Map.entry("fw", 1L));
            assertThat(get(car.attributes().merge(carAttrs, Map.of("battery", "79"))))
                    .containsExactly(Map.entry("battery", 2L));

            final Map<String, Attribute> seen = get(app.attributes().get(carAttrs));
            assertThat(seen.keySet()).containsExactly("battery", "fw");
            final Attribute battery = seen.get("battery");
            assertThat(battery.text()).isEqualTo("79");
            assertThat(battery.isText()).isTrue();
            assertThat(battery.revision()).isEqualTo(2);
            assertThat(battery.updatedBy()).isEqualTo("car1");
            assertThat(battery.updatedAt().toEpochMilli()).isPositive();
            assertThat(get(app.attributes().get(carAttrs, List.of("fw", "none"))).keySet()).containsExactly("fw");

            // replace: the given keys become the whole set (fw is deleted)
            assertThat(get(car.attributes().set(carAttrs, Map.of("battery", "78", "locked", "yes"))))
                    .containsExactly(Map.entry("battery", 3L), Map.entry("fw", 2L), Map.entry("locked", 1L));
            assertThat(get(app.attributes().get(carAttrs)).keySet()).containsExactly("battery", "locked");

            // binary values go through base64 and come back as bytes
            final byte[] raw = {(byte) 0xff, 0, 1};
            get(car.attributes().merge(carAttrs, AttributeUpdate.builder().put("blob", raw).build()));
            final Attribute blob = get(app.attributes().get(carAttrs, List.of("blob"))).get("blob");
            assertThat(blob.value()).containsExactly(raw);
            assertThat(blob.isText()).isFalse();

            assertThat(get(car.attributes().delete(carAttrs, List.of("locked", "never")))).containsExactly(
                    Map.entry("locked", 2L));
            assertThat(get(car.attributes().clear(carAttrs)).keySet()).containsExactly("battery", "blob");
            assertThat(get(app.attributes().get(carAttrs))).isEmpty();
            // a key that comes back continues from its tombstone's revision
            assertThat(get(car.attributes().merge(carAttrs, Map.of("fw", "2.0")))).containsExactly(Map.entry("fw", 3L));
        }
    }

    @Test
    void compareAndSet_conflictsAreTyped_andChangeNothing() throws Exception {
        try (RtmClient a = TestClients.loggedIn(broker, "cas-a", new Recorder());
             RtmClient b = TestClients.loggedIn(broker, "cas-b", new Recorder())) {
            get(a.channels().join("race"));
            get(b.channels().join("race"));
            final AttributeOwner race = AttributeOwner.channel("race");
            // both claim the lock "only if nobody has it": exactly one wins
            final var first = a.attributes().merge(race, AttributeUpdate.builder().put("owner", "a").expectAbsent("owner")
                    .build());
            final var second = b.attributes().merge(race, AttributeUpdate.builder().put("owner", "b").expectAbsent("owner")
                    .build());
            final List<Throwable> errors = new ArrayList<>();
            for (final CompletableFuture<Map<String, Long>> f : List.of(first, second)) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (final ExecutionException e) {
                    errors.add(e.getCause());
                }
            }
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0)).isInstanceOf(ConflictException.class);
            final ConflictException conflict = (ConflictException) errors.get(0);
            assertThat(conflict.code()).isEqualTo(RtmErrorCode.CONFLICT);
            assertThat(conflict.key()).isEqualTo("owner");
            assertThat(conflict.currentRevision()).isEqualTo(1);
            assertThat(conflict.expectedRevision()).isZero();
            assertThat(conflict.getMessage()).contains("attribute 'owner' of channel 'race' is at revision 1");
            final Attribute owner = get(a.attributes().get(race)).get("owner");
            assertThat(owner.revision()).isEqualTo(1);

            // the winner hands it over with the revision it read; a stale revision is a conflict
            final RtmClient winner = first.isCompletedExceptionally() ? b : a;
            assertThat(get(winner.attributes().merge(race, AttributeUpdate.builder().put("owner", "nobody")
                    .expectRevision("owner", 1).build()))).containsExactly(Map.entry("owner", 2L));
            assertThat(failure(winner.attributes().set(race, AttributeUpdate.builder().put("owner", "late")
                    .expectRevision("owner", 1).build()))).isInstanceOf(ConflictException.class);
            assertThat(failure(winner.attributes().deleteIf(race, Map.of("owner", 1L))))
                    .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.currentRevision()).isEqualTo(2));
            assertThat(get(a.attributes().get(race)).get("owner").text()).isEqualTo("nobody");
            assertThat(get(winner.attributes().deleteIf(race, Map.of("owner", 2L)))).containsExactly(Map.entry("owner", 3L));
            assertThat(get(a.attributes().get(race))).isEmpty();
        }
    }

    @Test
    void limitsAndPermissions_failWithTypedErrors() throws Exception {
        try (RtmClient eve = TestClients.loggedIn(broker, "eve3", new Recorder())) {
            final AttributeOwner mine = AttributeOwner.user("eve3");
            final Throwable big = failure(eve.attributes().merge(mine, Map.of("big", "x".repeat(65))));
            assertThat(big).isInstanceOf(PayloadTooLargeException.class)
                    .hasMessageContaining("the limit is 64 bytes (attr.max-value-bytes)");
            assertThat(((RtmException) big).code()).isEqualTo(RtmErrorCode.TOO_LARGE);
            assertThat(failure(eve.attributes().merge(mine, Map.of("k1", "v", "k2", "v", "k3", "v", "k4", "v", "k5", "v"))))
                    .isInstanceOf(PayloadTooLargeException.class).hasMessageContaining("attr.max-keys");
            assertThat(get(eve.attributes().get(mine))).isEmpty(); // all or nothing

            assertThat(failure(eve.attributes().merge(AttributeOwner.user("bob3"), Map.of("fw", "evil"))))
                    .isInstanceOf(ForbiddenException.class);
            assertThat(failure(eve.attributes().clear(AttributeOwner.channel("room3"))))
                    .isInstanceOf(ForbiddenException.class).hasMessageContaining("not a member of channel 'room3'");
            assertThatThrownBy(() -> eve.attributes().merge(mine, Map.of("a b", "v")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key: ");
            assertThatThrownBy(() -> eve.attributes().merge(mine, Map.of("k", "")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be empty");
            assertThatThrownBy(() -> eve.attributes().delete(mine, List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one key");
        }
        // a service may write anyone's attributes; the writer it stamps is its own uid
        final Recorder r = new Recorder();
        try (RtmClient svc = TestClients.listening(TestClients.builder(broker, "svc3")
                .token(broker.token("svc3", Role.SERVICE)), r).build()) {
            get(svc.login());
            get(svc.attributes().merge(AttributeOwner.user("bob3"), Map.of("plan", "gold")));
            assertThat(get(svc.attributes().get(AttributeOwner.user("bob3"))).get("plan").updatedBy()).isEqualTo("svc3");
        }
    }

    @Test
    void watching_givesTheValuesThenEveryChangeAndDeletion_onTheCallbackThread() throws Exception {
        final BlockingQueue<AttributeEvent> events = new LinkedBlockingQueue<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        try (RtmClient teacher = TestClients.loggedIn(broker, "teach4", new Recorder());
             RtmClient student = TestClients.builder(broker, "stud4").attributeListener(e -> {
                 threads.add(Thread.currentThread().getName());
                 events.add(e);
             }).build()) {
            get(student.login());
            final AttributeOwner room = AttributeOwner.channel("class4");
            get(teacher.channels().join("class4"));
            get(teacher.attributes().merge(room, Map.of("pinned", "exam on friday")));

            get(student.attributes().subscribe(room));
            assertThat(student.attributes().subscriptions()).containsExactly(room);
            final AttributeEvent initial = next(events);
            assertThat(initial.owner()).isEqualTo(room);
            assertThat(initial.key()).isEqualTo("pinned");
            assertThat(initial.isInitial()).isTrue();
            assertThat(initial.attribute()).isNotNull();
            assertThat(initial.attribute().text()).isEqualTo("exam on friday");
            assertThat(initial.revision()).isEqualTo(1);
            assertThat(initial.updatedBy()).isEqualTo("teach4");

            get(teacher.attributes().merge(room, Map.of("pinned", "exam moved to monday")));
            final AttributeEvent changed = next(events);
            assertThat(changed.isInitial()).isFalse();
            assertThat(changed.attribute().text()).isEqualTo("exam moved to monday");
            assertThat(changed.revision()).isEqualTo(2);

            get(teacher.attributes().delete(room, List.of("pinned")));
            final AttributeEvent deleted = next(events);
            assertThat(deleted.isDeleted()).isTrue();
            assertThat(deleted.attribute()).isNull();
            assertThat(deleted.revision()).isEqualTo(3);

            get(student.attributes().unsubscribe(room));
            assertThat(student.attributes().subscriptions()).isEmpty();
            get(teacher.attributes().merge(room, Map.of("pinned", "unseen")));
            assertThat(events.poll(300, TimeUnit.MILLISECONDS)).isNull();
            assertThat(threads).isNotEmpty().allMatch(t -> t.equals("rtm-callback-stud4"));
        }
    }
}
