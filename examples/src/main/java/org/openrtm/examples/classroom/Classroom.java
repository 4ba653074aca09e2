package org.openrtm.examples.classroom;

import org.jetbrains.annotations.NotNull;
import org.openrtm.examples.Sandbox;
import org.openrtm.examples.Waiter;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.channel.ChannelCount;
import org.openrtm.sdk.channel.ChannelListener;
import org.openrtm.sdk.channel.ChannelMessage;
import org.openrtm.sdk.channel.ChannelSendOptions;
import org.openrtm.sdk.channel.MemberEvent;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Classroom: a teacher and three students in a channel.
 *
 * <ol>
 *   <li>The teacher opens the class (joins the channel) and keeps a live roster and head count from the member
 *       events and count updates.</li>
 *   <li>Two students join; the teacher welcomes the class with a channel message.</li>
 *   <li>A student raises a hand: a channel message of kind {@code hand} that every member sees; the teacher lowers
 *       it (kind {@code lower}).</li>
 *   <li>Another student asks a question only the teacher gets: a whitelist ({@code only}).</li>
 *   <li>A third student joins late: it finds the roster (the members already there) and is caught up by the
 *       {@link LateJoinerCatchUp}; then leaves, and the roster and count follow.</li>
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

    /**
     * What a student who joins late is given besides the live roster. Today there is nothing more to give: the
     * classroom's pinned announcement will be a channel attribute, and the lesson so far will come from the channel's
     * history, both with the server's attributes and history (phase 3). A catch-up for them plugs in here.
     */
    public interface LateJoinerCatchUp {

        /** Nothing beyond the roster, today's server. */
        LateJoinerCatchUp NONE = (student, channel, out) -> List.of();

        /**
         * Catches a late student up.
         *
         * @param student the student's client, logged in and in the channel
         * @param channel the channel id
         * @param out     where to narrate
         * @return what the student was shown, one line each
         * @throws Exception if fetching fails
         */
        @NotNull List<String> catchUp(@NotNull RtmClient student, @NotNull String channel, @NotNull PrintStream out)
                throws Exception;
    }

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
     * @param catchUp          what the late student was given by the catch-up
     */
    public record Outcome(List<Set<String>> rosters, List<Integer> counts, Set<String> welcomeReceived,
                          List<String> handsRaised, Set<String> handSeenBy, String question,
                          Set<String> questionLeakedTo, Set<String> lateJoinerRoster, List<String> catchUp) {
    }

    /** One member's listener: everything it sees goes to waiters. */
    private static final class Desk implements ChannelListener {
        final Waiter<ChannelMessage> messages = new Waiter<>();
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
    private final LateJoinerCatchUp catchUp;

    /**
     * @param sandbox where to run
     * @param catchUp what late students are given
     */
    public Classroom(final @NotNull Sandbox sandbox, final @NotNull LateJoinerCatchUp catchUp) {
        this.sandbox = sandbox;
        this.catchUp = catchUp;
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
            out.println("[" + TEACHER + "] opened " + CLASS);

            // 2. two students join; the roster and the count follow
            final List<Desk> desks = new ArrayList<>();
            final List<RtmClient> students = new ArrayList<>();
            for (final String uid : STUDENTS.subList(0, 2)) {
                final Desk desk = new Desk();
                final RtmClient s = sandbox.client(uid).channelListener(desk).build();
                open.add(s);
                s.login().get(10, TimeUnit.SECONDS);
                s.channels().join(CLASS).get(10, TimeUnit.SECONDS);
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
            final List<String> shown = catchUp.catchUp(late, CLASS, out);
            if (shown.isEmpty()) {
                out.println("[" + lateUid + "] (the pinned announcement and the lesson so far come with attributes and"
                        + " history)");
            }
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
            return new Outcome(rosters, counts, welcomed, hands, handSeenBy, question, leaked, found, shown);
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
