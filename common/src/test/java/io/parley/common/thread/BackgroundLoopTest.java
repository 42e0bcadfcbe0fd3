package io.parley.common.thread;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

class BackgroundLoopTest {

    private static final Logger LOG = Logger.getLogger(BackgroundLoopTest.class);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aWakeEndsTheIdlePauseAndAStopEndsTheThread() {
        AtomicInteger rounds = new AtomicInteger();
        BackgroundLoop loop = new BackgroundLoop("test-loop", "test", LOG, () -> {
            rounds.incrementAndGet();
            return false;
        }).idle(Duration.ofHours(1));
        loop.start();
        await().atMost(WAIT).until(() -> rounds.get() == 1);
        loop.wake();
        await().atMost(WAIT).until(() -> rounds.get() == 2);
        assertTrue(loop.stop(WAIT), "the loop ends although it was pausing for an hour");
        assertFalse(loop.alive());
        assertFalse(loop.running());
    }

    @Test
    void aRoundWithWorkLeftIsFollowedAtOnce() {
        AtomicInteger rounds = new AtomicInteger();
        BackgroundLoop loop = new BackgroundLoop("test-loop", "test", LOG, () -> rounds.incrementAndGet() < 5)
                .idle(Duration.ofHours(1));
        loop.start();
        await().atMost(WAIT).until(() -> rounds.get() == 5);
        assertTrue(loop.stop(WAIT));
        assertEquals(5, rounds.get(), "after a round with nothing left, the loop pauses");
    }

    @Test
    void aFailedRoundIsReportedAndTheLoopGoesOn() {
        AtomicInteger rounds = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        BackgroundLoop loop = new BackgroundLoop("test-loop", "test", LOG, () -> {
            if (rounds.incrementAndGet() <= 2) {
                throw new IllegalStateException("round " + rounds.get());
            }
            return false;
        }).idle(Duration.ofHours(1)).onFailure(e -> failures.incrementAndGet());
        loop.start();
        await().atMost(WAIT).until(() -> rounds.get() == 3);
        assertEquals(2, failures.get());
        assertTrue(loop.stop(WAIT));
    }

    @Test
    void aStopOfALoopNeverStartedSaysSo() {
        BackgroundLoop loop = new BackgroundLoop("test-loop", "test", LOG, () -> false);
        assertFalse(loop.stop(Duration.ofMillis(10)));
    }
}
