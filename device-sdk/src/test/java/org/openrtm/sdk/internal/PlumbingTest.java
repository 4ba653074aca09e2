package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PlumbingTest {

    @Test
    void sockets_haveTcpNoDelay() throws Exception {
        try (Socket s = new NoDelaySocketFactory(new ConnackSniffer(), new SubackPatch()).createSocket()) {
            assertThat(s.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void serialExecutor_runsTasksOneAtATimeInOrder_onAPool_andSurvivesAThrowingTask() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            final SerialExecutor serial = new SerialExecutor(pool);
            final List<Integer> seen = new CopyOnWriteArrayList<>();
            final int[] concurrent = {0};
            final int[] maxConcurrent = {0};
            final CountDownLatch done = new CountDownLatch(1);
            for (int i = 0; i < 500; i++) {
                final int n = i;
                serial.execute(() -> {
                    synchronized (concurrent) {
                        maxConcurrent[0] = Math.max(maxConcurrent[0], ++concurrent[0]);
                    }
                    seen.add(n);
                    synchronized (concurrent) {
                        concurrent[0]--;
                    }
                    if (n == 10) {
                        throw new IllegalStateException("a listener bug");
                    }
                });
            }
            serial.execute(done::countDown);
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).hasSize(500).isSorted();
            assertThat(maxConcurrent[0]).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
