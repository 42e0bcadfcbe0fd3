package io.parley.id.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.id.config.IdConfig;
import io.parley.id.repository.RedisSequenceBlockSource;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Lease timings and sequence fences that cannot work are refused at start, with a message naming the properties. */
class WorkerLeaseConfigTest {

    @Test
    void shouldAcceptTheDefaults() {
        assertDoesNotThrow(() -> WorkerLeaseKeeper.validate(config("10s", "2s", "5s")));
        assertDoesNotThrow(() -> RedisSequenceBlockSource.validate(config("10s", "2s", "5s")));
    }

    @Test
    void shouldRefuseATtlThatRenewalsCannotKeepAlive() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WorkerLeaseKeeper.validate(config("4s", "2s", "5s")));
        assertTrue(e.getMessage().contains("lease-ttl"));
    }

    @Test
    void shouldRefuseAReservationLargerThanTheToleratedClockStep() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WorkerLeaseKeeper.validate(config("30s", "3s", "5s")));
        assertTrue(e.getMessage().contains("max-clock-step-back"));
    }

    @Test
    void shouldRefuseSubSecondRenewals() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WorkerLeaseKeeper.validate(config("2s", "500ms", "5s")));
        assertTrue(e.getMessage().contains("renew-interval"));
    }

    @Test
    void shouldRefuseASequenceFenceThatWrapsTheTenDigitSequence() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RedisSequenceBlockSource.validate(config("10s", "2s", "5s", 1_000_000, 1_000_000_000L)));
        assertTrue(e.getMessage().contains("parley.id.sequence.floor-rate"), e.getMessage());
    }

    @Test
    void shouldRefuseALeadSmallerThanTheLargestBlock() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RedisSequenceBlockSource.validate(config("10s", "2s", "5s", 100_000, 999_999)));
        assertTrue(e.getMessage().contains("parley.id.sequence.max-lead"), e.getMessage());
    }

    private static IdConfig config(String ttl, String interval, String stepBack) {
        return config(ttl, interval, stepBack, 100_000, 1_000_000_000L);
    }

    private static IdConfig config(String ttl, String interval, String stepBack, long floorRate, long maxLead) {
        IdConfig.Sequence sequence = new IdConfig.Sequence() {
            @Override
            public long floorRate() {
                return floorRate;
            }

            @Override
            public long maxLead() {
                return maxLead;
            }

            @Override
            public Duration clockMargin() {
                return Duration.ofSeconds(1);
            }
        };
        IdConfig.Snowflake snowflake = new IdConfig.Snowflake() {
            @Override
            public Duration leaseTtl() {
                return parse(ttl);
            }

            @Override
            public Duration renewInterval() {
                return parse(interval);
            }

            @Override
            public Duration maxClockStepBack() {
                return parse(stepBack);
            }

            @Override
            public Duration maxClockSkew() {
                return Duration.ofSeconds(1);
            }
        };
        return new IdConfig() {
            @Override
            public int blockSize() {
                return 10_000;
            }

            @Override
            public int maxCount() {
                return 10_000;
            }

            @Override
            public int maxBlockSize() {
                return 1_000_000;
            }

            @Override
            public Sequence sequence() {
                return sequence;
            }

            @Override
            public Snowflake snowflake() {
                return snowflake;
            }
        };
    }

    private static Duration parse(String text) {
        return text.endsWith("ms") ? Duration.ofMillis(Long.parseLong(text.replace("ms", "")))
                : Duration.ofSeconds(Long.parseLong(text.replace("s", "")));
    }
}
