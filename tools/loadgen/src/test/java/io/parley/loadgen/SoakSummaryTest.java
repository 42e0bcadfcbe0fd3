package io.parley.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak summary's arithmetic: bytes per hot conversation, levelling over thirds, the kinds still growing. */
class SoakSummaryTest {

    @Test
    void shouldDivideMemoryAboveTheBaselineByTheHotConversations() {
        assertEquals(2500L, SoakSummary.bytesPerHotConversation(1_250_000, 1_000_000, 100));
        assertEquals(-10L, SoakSummary.bytesPerHotConversation(999_000, 1_000_000, 100));
        assertNull(SoakSummary.bytesPerHotConversation(1_250_000, 1_000_000, 0));
    }

    @Test
    void shouldTakeAThirdRoundedUpAndAtLeastAMinute() {
        assertEquals(10, SoakSummary.third(30));
        assertEquals(2, SoakSummary.third(4));
        assertEquals(1, SoakSummary.third(3));
        assertEquals(1, SoakSummary.third(1));
    }

    @Test
    void shouldSayASeriesThatStopsGrowingLevelledOff() {
        // baseline 100, grows 50 a minute for 3 minutes, then flat within 2 units: 6 minutes, thirds of 2
        Map<String, Object> f = SoakSummary.levelling(List.of(100L, 150L, 200L, 250L, 251L, 252L, 251L));
        assertEquals(100L, f.get("start"));
        assertEquals(251L, f.get("end"));
        assertEquals(2, f.get("thirdMinutes"));
        assertEquals(100L, f.get("firstThird"));
        assertEquals(0L, f.get("lastThird"));
        assertEquals(50.0, f.get("firstThirdPerMinute"));
        assertEquals(0.0, f.get("lastThirdPerMinute"));
        assertEquals(0.0, f.get("lastOverFirst"));
        assertEquals(true, f.get("levelledOff"));
    }

    @Test
    void shouldSayASeriesThatKeepsGrowingDidNot() {
        Map<String, Object> f = SoakSummary.levelling(List.of(0L, 10L, 20L, 30L, 40L));
        assertEquals(20L, f.get("firstThird"));
        assertEquals(20L, f.get("lastThird"));
        assertEquals(1.0, f.get("lastOverFirst"));
        assertEquals(false, f.get("levelledOff"));
        // a first third that did not grow: levelled only if the last did not either
        assertEquals(true, SoakSummary.levelling(List.of(5L, 5L, 4L, 4L)).get("levelledOff"));
        assertNull(SoakSummary.levelling(List.of(5L, 5L, 6L, 7L)).get("lastOverFirst"));
        assertEquals(false, SoakSummary.levelling(List.of(5L, 5L, 6L, 7L)).get("levelledOff"));
        assertNull(SoakSummary.levelling(List.of(5L)));
    }

    @Test
    void shouldListTheKindsThatGrewOverTheLastThirdLargestFirst() {
        List<Map<String, Long>> censuses = List.of(
                Map.of("a", 1L),
                Map.of("a", 5L, "b", 1L),
                Map.of("a", 5L, "b", 3L, "c", 2L),
                Map.of("a", 4L, "b", 9L, "c", 3L));
        // 3 minutes: the last third is minute 2 -> 3
        Map<String, Long> growing = SoakSummary.growingKinds(censuses);
        assertEquals(List.of("b", "c"), List.copyOf(growing.keySet()));
        assertEquals(6L, growing.get("b"));
        assertEquals(1L, growing.get("c"));
    }
}
