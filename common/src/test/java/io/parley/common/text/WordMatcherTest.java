package io.parley.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordMatcherTest {

    private final WordMatcher matcher = new WordMatcher(List.of("bad", "badger", "he", "she", "hers", "坏蛋", "  ", ""));

    @Test
    void shouldMaskEveryListedWordWhateverItsCase() {
        assertEquals("a *** day", matcher.mask("a bad day", '*'));
        assertEquals("a *** DAY", matcher.mask("a BaD DAY", '*'));
        assertEquals("你是**", matcher.mask("你是坏蛋", '*'));
    }

    @Test
    void shouldMaskOverlappingAndNestedWords() {
        // "ushers" holds she, he and hers: all of them are masked
        assertEquals("u*****", matcher.mask("ushers", '*'));
        // the longer word wins where both end
        assertEquals("******s", matcher.mask("badgers", '*'));
    }

    @Test
    void shouldLeaveCleanTextUntouched() {
        String clean = "a good day, nothing to see";
        assertSame(clean, matcher.mask(clean, '*'));
        assertFalse(matcher.matchesAny(clean));
        assertTrue(matcher.find(clean).isEmpty());
    }

    @Test
    void shouldFindWordsAfterAFailedPartialMatch() {
        // "ba" starts "bad" but fails on 'x'; "he" must still be found right after
        assertEquals(List.of(new WordMatcher.Match(3, 5)), matcher.find("baxhe"));
        assertTrue(matcher.matchesAny("xxbadxx"));
    }

    @Test
    void shouldIgnoreBlankWordsAndMatchNothingWhenEmpty() {
        assertEquals(6, matcher.size());
        WordMatcher none = new WordMatcher(List.of());
        assertFalse(none.matchesAny("anything"));
        assertEquals("anything", none.mask("anything", '*'));
    }
}
