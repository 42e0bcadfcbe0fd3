package io.parley.sdk.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(6, Duration.ofMillis(200), Duration.ofSeconds(2),
            Duration.ofSeconds(30));

    @Test
    void theStepDoublesFromTheInitialOneUpToTheCap() {
        assertEquals(Duration.ofMillis(200), policy.step(1));
        assertEquals(Duration.ofMillis(400), policy.step(2));
        assertEquals(Duration.ofMillis(800), policy.step(3));
        assertEquals(Duration.ofMillis(1600), policy.step(4));
        assertEquals(Duration.ofSeconds(2), policy.step(5));
        assertEquals(Duration.ofSeconds(2), policy.step(500), "no overflow however many attempts");
    }

    @Test
    void jitterKeepsTheDelayBetweenHalfTheStepAndTheStep() {
        assertEquals(Duration.ofMillis(400), policy.delay(3, null, 0.0));
        assertEquals(Duration.ofMillis(600), policy.delay(3, null, 0.5));
        assertEquals(Duration.ofMillis(799), policy.delay(3, null, 0.999));
        for (int i = 0; i < 1000; i++) {
            long wait = policy.delay(2, null, Math.random()).toMillis();
            assertTrue(wait >= 200 && wait < 400, "delay " + wait);
        }
    }

    @Test
    void theServersRetryAfterIsAFloor() {
        assertEquals(Duration.ofSeconds(3), policy.delay(1, Duration.ofSeconds(3), 0.9));
        assertEquals(Duration.ofMillis(1000), policy.delay(4, Duration.ofMillis(10), 0.25),
                "a shorter Retry-After does not shorten the back-off");
    }

    @Test
    void aRetryAfterLongerThanTheLimitIsNotWaitedFor() {
        assertTrue(policy.waitsFor(null));
        assertTrue(policy.waitsFor(Duration.ofSeconds(30)));
        assertFalse(policy.waitsFor(Duration.ofSeconds(31)));
    }

    @Test
    void attemptsCountTheFirstOne() {
        RetryPolicy once = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        assertFalse(once.hasAttemptAfter(1));
        assertTrue(policy.hasAttemptAfter(5));
        assertFalse(policy.hasAttemptAfter(6));
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO));
    }
}
