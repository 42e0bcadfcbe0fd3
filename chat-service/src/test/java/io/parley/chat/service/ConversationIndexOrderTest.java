package io.parley.chat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The conversation index is a hash (conversation to last activity); the list sorts it, newest first. */
class ConversationIndexOrderTest {

    @Test
    void shouldListTheNewestFirstThenByIdAndAtMostTheCap() {
        Map<String, String> index = new HashMap<>();
        index.put("d:1:3", "1000");
        index.put("d:1:4", "3000");
        index.put("d:1:2", "3000");
        index.put("d:1:5", "999");
        assertEquals(List.of("d:1:2", "d:1:4", "d:1:3", "d:1:5"),
                ConversationService.newestDirect(index).stream().map(Map.Entry::getKey).toList());

        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < ConversationService.MAX_DIRECT + 5; i++) {
            many.put("d:0:" + i, Integer.toString(i));
        }
        List<Map.Entry<String, Long>> newest = ConversationService.newestDirect(many);
        assertEquals(ConversationService.MAX_DIRECT, newest.size());
        assertEquals(ConversationService.MAX_DIRECT + 4L, newest.get(0).getValue());
    }
}
