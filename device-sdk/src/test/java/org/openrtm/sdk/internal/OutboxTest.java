package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxTest {

    private static Pending op(final long seq) {
        return new Pending(Pending.Kind.PEER, seq, "t", new byte[0], false, List.of(), null, "c" + seq, null);
    }

    @Test
    void operationsGoOutInOrder_andComeBackToTheirPlace() {
        final Outbox o = new Outbox(10);
        final Pending a = op(1);
        final Pending b = op(2);
        final Pending c = op(3);
        assertThat(o.accept(a)).isTrue();
        assertThat(o.accept(b)).isTrue();
        assertThat(o.accept(c)).isTrue();
        assertThat(o.next()).isSameAs(a);
        assertThat(o.next()).isSameAs(b);
        // the connection dropped with a and b unanswered: they go back before c
        o.putBack(List.of(b, a));
        assertThat(o.next()).isSameAs(a);
        assertThat(o.next()).isSameAs(b);
        assertThat(o.next()).isSameAs(c);
        assertThat(o.next()).isNull();
        assertThat(o.unfinishedCount()).isEqualTo(3);
    }

    @Test
    void capacity_countsEveryUnfinishedOperation() {
        final Outbox o = new Outbox(2);
        final Pending a = op(1);
        assertThat(o.accept(a)).isTrue();
        assertThat(o.accept(op(2))).isTrue();
        o.next(); // a is sent, still unfinished
        assertThat(o.accept(op(3))).isFalse();
        o.finished(a);
        assertThat(o.accept(op(4))).isTrue();
        assertThat(o.unfinished()).extracting(p -> p.seq).containsExactly(2L, 4L);
    }

    @Test
    void finishedOrDoneOperations_areNotPutBack() {
        final Outbox o = new Outbox(5);
        final Pending a = op(1);
        o.accept(a);
        o.next();
        a.done = true;
        o.finished(a);
        o.putBack(a);
        assertThat(o.waitingCount()).isZero();
        assertThat(o.isWaiting(a)).isFalse();
    }
}
