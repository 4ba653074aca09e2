package org.openrtm.examples.classroom;

import org.jetbrains.annotations.NotNull;
import org.openrtm.examples.ExampleOutcome;
import org.openrtm.examples.ExampleOutcomes;
import org.openrtm.examples.Sandbox;
import org.openrtm.examples.Waiter;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.attribute.Attribute;
import org.openrtm.sdk.attribute.AttributeEvent;
import org.openrtm.sdk.attribute.AttributeListener;
import org.openrtm.sdk.attribute.AttributeOwner;
import org.openrtm.sdk.channel.ChannelCount;
import org.openrtm.sdk.channel.ChannelListener;
import org.openrtm.sdk.channel.ChannelMessage;
import org.openrtm.sdk.channel.ChannelSendOptions;
import org.openrtm.sdk.channel.MemberEvent;
import org.openrtm.sdk.history.HistoryMessage;
import org.openrtm.sdk.history.HistoryOrder;
import org.openrtm.sdk.history.HistoryQuery;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Classroom: a teacher and three students in a channel.
 *
 * <ol>
 *   <li>The teacher opens the class (joins the channel), pins an announcement (the channel attribute
 *       {@code pinned}), and keeps a live roster and head count from the member events and count updates.</li>
 *   <li>Two students join and watch the channel's attributes: each sees the pinned announcement at once. The teacher
 *       welcomes the class with a channel message.</li>
 *   <li>A student raises a hand: a channel message of kind {@code hand} that every member sees; the teacher lowers
 *       it (kind {@code lower}).</li>
 *   <li>Another student asks a question only the teacher gets: a whitelist ({@code only}).</li>
 *   <li>A third student joins late: it finds the roster (the members already there), reads the pinned announcement
 *       and replays the lesson so far from the channel's history (only what was meant for it: not the private
 *       question); then leaves, and the roster and count follow.</li>
 * </ol>
 */
public final class Classroom {

    /** The channel. */
    public static final String CLASS = "class-7b";
    /** The teacher's uid. */
    public static final String TEACHER = "ms-rivera";
    /** The students' uids, the last one joins late. */
    public static final List<String> STUDENTS = List.of("sam", "kim", "lee");

    /** User property that says what a classroom message is: {@code hand}, {@code lower}, or absent for talk. */
    public static final String KIND = "kind";

    /** The channel attribute that holds the pinned announcement. */
    public static final String PINNED = "pinned";
    /** The pinned announcement. */
    public static final String ANNOUNCEMENT = "Quiz on Friday: chapter 3";

    /**
     * What the scenario observed.
     *
     * @param rosters          the teacher's roster after each change, in order
     * @param counts           the head counts the teacher was told, in order
     * @param welcomeReceived  the students who got the welcome
     * @param handsRaised      the students whose raised hand the teacher saw
     * @param handSeenBy       the members (other than the raiser) who saw the raised hand
     * @param question         the private question as the teacher got it ("from: text")
     * @param questionLeakedTo the students who got the private question (should be none)
     * @param lateJoinerRoster who the late student found in the class
     * @param pinnedSeenBy     the students who saw the pinned announcement when they joined
     * @param lateJoinerPinned the pinned announcement as the late student read it
     * @param replay           the lesson so far as the late student replayed it from history ("from: text")
     */
    public record Outcome(List<Set<String>> rosters, List<Integer> counts, Set<String> welcomeReceived,
                          List<String> handsRaised, Set<String> handSeenBy, String question,
                          Set<String> questionLeakedTo, Set<String> lateJoinerRoster, Set<String> pinnedSeenBy,
                          String lateJoinerPinned, List<String> replay) implements ExampleOutcome {
        @Override
        public @NotNull String summary() {
            return "welcomed " + ExampleOutcomes.words(welcomeReceived) + "; hands raised by "
                    + ExampleOutcomes.words(handsRaised) + " were seen by " + ExampleOutcomes.words(handSeenBy)
                    + "; the private question reached only the teacher"
                    + (questionLeakedTo.isEmpty() ? "" : " and leaked to " + ExampleOutcomes.words(questionLeakedTo))
                    + "; the late joiner found " + ExampleOutcomes.words(lateJoinerRoster) + ", read the pinned '"
                    + lateJoinerPinned + "' and replayed " + replay.size() + " messages; head counts "
                    + ExampleOutcomes.words(counts);
        }
    }

    /** One member's listener: everything it sees goes to waiters. */
    private static final class Desk implements ChannelListener, AttributeListener {
        final Waiter<ChannelMessage> messages = new Waiter<>();
        final Waiter<AttributeEvent> board = new Waiter<>();

        @Override
        public void onAttribute(final @NotNull AttributeEvent event) {
            board.add(event);
        }

        final Waiter<MemberEvent> members = new Waiter<>();
        final Waiter<ChannelCount> counts = new Waiter<>();

        @Override
        public void onMessage(final @NotNull ChannelMessage message) {
            messages.add(message);
        }

        @Override
        public void onMemberJoined(final @NotNull MemberEvent event) {
            members.add(event);
        }

        @Override
        public void onMemberLeft(final @NotNull MemberEvent event) {
            members.add(event);
        }

        @Override
        public void onCountChanged(final @NotNull ChannelCount count) {
            counts.add(count);
        }
    }

    private final Sandbox sandbox;

    /**
     * @param sandbox where to run
     */
    public Classroom(final @NotNull Sandbox sandbox) {
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
        final Desk teacherDesk = new Desk();
        final Set<String> roster = new TreeSet<>();
        final List<Set<String>> rosters = new ArrayList<>();
        final List<Integer> counts = new ArrayList<>();
        final List<RtmClient> open = new ArrayList<>();
        try {
            // 1. the teacher opens the class
            final RtmClient teacher = sandbox.client(TEACHER).channelListener(teacherDesk).build();
            open.add(teacher);
            teacher.login().get(10, TimeUnit.SECONDS);
            teacher.channels().join(CLASS).get(10, TimeUnit.SECONDS);
            final AttributeOwner classBoard = AttributeOwner.channel(CLASS);
            teacher.attributes().merge(classBoard, Map.of(PINNED, ANNOUNCEMENT)).get(10, TimeUnit.SECONDS);
            out.println("[" + TEACHER + "] opened " + CLASS + " and pinned '" + ANNOUNCEMENT + "'");

            // 2. two students join; the roster and the count follow
            final List<Desk> desks = new ArrayList<>();
            final List<RtmClient> students = new ArrayList<>();
            final Set<String> pinnedSeenBy = new TreeSet<>();
            for (final String uid : STUDENTS.subList(0, 2)) {
                final Desk desk = new Desk();
                final RtmClient s = sandbox.client(uid).channelListener(desk).attributeListener(desk).build();
                open.add(s);
                s.login().get(10, TimeUnit.SECONDS);
                s.channels().join(CLASS).get(10, TimeUnit.SECONDS);
                s.attributes().subscribe(classBoard).get(10, TimeUnit.SECONDS);
                final AttributeEvent pinned = desk.board.next("the pinned announcement");
                if (PINNED.equals(pinned.key()) && pinned.attribute() != null) {
                    pinnedSeenBy.add(uid);
                    out.println("[" + uid + "] joined; pinned: " + pinned.attribute().text());
                }
                desks.add(desk);
                students.add(s);
                final MemberEvent joined = teacherDesk.members.next(uid + " joining");
                roster.add(joined.uid());
                rosters.add(Set.copyOf(roster));
                out.println("[" + TEACHER + "] " + joined.uid() + " joined; roster " + roster);
            }
            final int two = awaitCount(teacherDesk, 3, counts);
            out.println("[" + TEACHER + "] head count " + two);

            teacher.channels().send(CLASS, "Welcome! Today: fractions.").get(10, TimeUnit.SECONDS);
            final Set<String> welcomed = new TreeSet<>();
            for (int i = 0; i < students.size(); i++) {
                final ChannelMessage m = desks.get(i).messages.next("the welcome");
                welcomed.add(students.get(i).uid());
                out.println("[" + students.get(i).uid() + "] " + m.from() + ": " + m.text());
            }

            // 3. a raised hand, seen by everyone, lowered by the teacher
            final RtmClient sam = students.get(0);
            final RtmClient kim = students.get(1);
            sam.channels().send(CLASS, "✋", ChannelSendOptions.builder().property(KIND, "hand").build())
                    .get(10, TimeUnit.SECONDS);
            final List<String> hands = new ArrayList<>();
            final ChannelMessage hand = teacherDesk.messages.next("a raised hand");
            if ("hand".equals(hand.properties().get(KIND))) {
                hands.add(hand.from());
                out.println("[" + TEACHER + "] " + hand.from() + " raises a hand");
            }
            final Set<String> handSeenBy = new TreeSet<>();
            handSeenBy.add(TEACHER);
            if ("hand".equals(desks.get(1).messages.next("the raised hand").properties().get(KIND))) {
                handSeenBy.add(kim.uid());
                out.println("[" + kim.uid() + "] sees " + sam.uid() + "'s hand up");
            }
            teacher.channels().send(CLASS, sam.uid(), ChannelSendOptions.builder().property(KIND, "lower").build())
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < students.size(); i++) {
                desks.get(i).messages.next("the lowered hand");
            }
            out.println("[" + TEACHER + "] lowered " + sam.uid() + "'s hand");

            // 4. a question only the teacher gets
            kim.channels().send(CLASS, "Is 2/4 the same as 1/2?",
                    ChannelSendOptions.builder().only(List.of(TEACHER)).build()).get(10, TimeUnit.SECONDS);
            final ChannelMessage q = teacherDesk.messages.next("the private question");
            final String question = q.from() + ": " + q.text();
            out.println("[" + TEACHER + "] privately from " + question);
            final Set<String> leaked = new TreeSet<>();
            if (desks.get(0).messages.anyWithin(Duration.ofMillis(500))) {
                leaked.add(sam.uid());
            }

            // 5. a late joiner finds the roster and is caught up; then leaves
            final String lateUid = STUDENTS.get(2);
            final Desk lateDesk = new Desk();
            final RtmClient late = sandbox.client(lateUid).channelListener(lateDesk).build();
            open.add(late);
            late.login().get(10, TimeUnit.SECONDS);
            late.channels().join(CLASS).get(10, TimeUnit.SECONDS);
            final Set<String> found = new TreeSet<>();
            for (int i = 0; i < 3; i++) {
                found.add(lateDesk.members.next("the members already in class").uid());
            }
            out.println("[" + lateUid + "] joined late and finds " + found + " in class");
            final Attribute pinned = late.attributes().get(classBoard, List.of(PINNED)).get(10, TimeUnit.SECONDS)
                    .get(PINNED);
            final String lateJoinerPinned = pinned == null ? "" : pinned.text();
            out.println("[" + lateUid + "] pinned: " + lateJoinerPinned);
            final List<String> replay = new ArrayList<>();
            for (final HistoryMessage m : late.history().all(HistoryQuery.channel(CLASS).order(HistoryOrder.OLDEST_FIRST)
                    .build(), 100).get(10, TimeUnit.SECONDS)) {
                replay.add(m.from() + ": " + m.text());
            }
            out.println("[" + lateUid + "] catches up on the lesson so far:");
            replay.forEach(line -> out.println("  " + line));
            final MemberEvent lateJoined = teacherDesk.members.next(lateUid + " joining");
            roster.add(lateJoined.uid());
            rosters.add(Set.copyOf(roster));
            out.println("[" + TEACHER + "] " + lateUid + " joined; roster " + roster);
            out.println("[" + TEACHER + "] head count " + awaitCount(teacherDesk, 4, counts));

            late.channels().leave(CLASS).get(10, TimeUnit.SECONDS);
            final MemberEvent left = teacherDesk.members.next(lateUid + " leaving");
            roster.remove(left.uid());
            rosters.add(Set.copyOf(roster));
            out.println("[" + TEACHER + "] " + left.uid() + " left; roster " + roster);
            out.println("[" + TEACHER + "] head count " + awaitCount(teacherDesk, 3, counts));
            return new Outcome(rosters, counts, welcomed, hands, handSeenBy, question, leaked, found, pinnedSeenBy,
                    lateJoinerPinned, replay);
        } finally {
            open.forEach(RtmClient::close);
        }
    }

    /** Waits until the teacher is told this head count (updates come at most once a second, coalesced). */
    private static int awaitCount(final Desk desk, final int n, final List<Integer> counts) throws InterruptedException {
        final ChannelCount c = desk.counts.next("a head count of " + n, x -> {
            counts.add(x.count());
            return x.count() == n;
        });
        return c.count();
    }
}
