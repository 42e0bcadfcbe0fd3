package io.parley.chat.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerWheelTest {

    /** An item that remembers its due second, as a connection does. */
    static final class Item {
        final String name;
        long due;

        Item(String name) {
            this.name = name;
        }
    }

    private final List<String> seen = new ArrayList<>();

    private TimerWheel<Item> wheel(long now) {
        return new TimerWheel<>(8, now, item -> item.due, (item, second) -> item.due = second);
    }

    @Test
    void aTickShouldVisitOnlyWhatIsDueInTheSecondsThatPassed() {
        TimerWheel<Item> wheel = wheel(100);
        wheel.add(new Item("at 101"), 101);
        wheel.add(new Item("at 103"), 103);
        wheel.add(new Item("at 105"), 105);

        wheel.advance(101, i -> seen.add(i.name));
        assertEquals(List.of("at 101"), seen);
        wheel.advance(104, i -> seen.add(i.name)); // a late tick catches up on every second it missed
        assertEquals(List.of("at 101", "at 103"), seen);
        assertEquals(1, wheel.size());
    }

    @Test
    void anItemBeyondTheSpanShouldWaitForItsRound() {
        TimerWheel<Item> wheel = wheel(0);
        wheel.add(new Item("at 3"), 3);
        wheel.add(new Item("at 11"), 11); // the same slot as 3 in a wheel of 8
        wheel.add(new Item("at 27"), 27);

        wheel.advance(10, i -> seen.add(i.name));
        assertEquals(List.of("at 3"), seen);
        wheel.advance(26, i -> seen.add(i.name));
        assertEquals(List.of("at 3", "at 11"), seen);
        wheel.advance(27, i -> seen.add(i.name));
        assertEquals(List.of("at 3", "at 11", "at 27"), seen);
        assertEquals(0, wheel.size());
    }

    @Test
    void aVisitorShouldPutAnItemBackForLaterWithoutSeeingItAgainThisTick() {
        TimerWheel<Item> wheel = wheel(0);
        Item pinged = new Item("every 8 s");
        wheel.add(pinged, 1);
        List<Long> visits = new ArrayList<>();
        for (long now = 1; now <= 40; now++) {
            long at = now;
            wheel.advance(now, item -> {
                visits.add(at);
                wheel.add(item, at + 8); // the same slot, a round later
            });
        }
        assertEquals(List.of(1L, 9L, 17L, 25L, 33L), visits);
        assertEquals(1, wheel.size());
    }

    @Test
    void anItemDueInThePastShouldComeAtTheNextTick() {
        TimerWheel<Item> wheel = wheel(50);
        Item late = new Item("late");
        wheel.add(late, 10);
        assertEquals(51, late.due);
        wheel.advance(51, i -> seen.add(i.name));
        assertEquals(List.of("late"), seen);
    }

    @Test
    void theSpanShouldBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new TimerWheel<Item>(10, 0, i -> i.due, (i, s) -> i.due = s));
    }
}
