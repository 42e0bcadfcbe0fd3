package io.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written {@code sent} and {@code message} frames are byte for byte what Jackson writes for the same tree —
 * whatever the body holds (quotes, backslashes, control characters, non-ASCII, emoji).
 */
class ServerFramesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ServerFrames frames = new ServerFrames(JSON);
    private static final List<String> AWKWARD = List.of("hi", "say \"hi\"", "back\\slash", "tab\tnew\nline\u0001",
            "ünïcødé €", "emoji 😀", "</script>", "\u2028\u2029");

    @Test
    void shouldWriteTheMessageFrameAsJacksonDoesForAnyBody() {
        for (String body : AWKWARD) {
            ChatMessage direct = new ChatMessage("2026120600000000000001000000000001", "d:1:2", 0, 1, 2, null, body,
                    "text", 1_765_000_000_000L, null, "c\"1");
            ChatMessage group = new ChatMessage("2026120600000000000001000000000002", "g:42", 0, 1, 0, "42", body,
                    "edit", 1_765_000_000_001L, "2026120600000000000001000000000001", "c2");
            for (ChatMessage m : List.of(direct, group)) {
                String[] around = frames.messageAroundSeq(m);
                // frames.message writes the Jackson tree (the history and sync path): the reference
                assertEquals(frames.message(new ChatMessage(m.id(), m.conversation(), 17, m.from(), m.toUser(),
                        m.toGroup(), m.body(), m.kind(), m.ts(), m.target(), m.clientMsgId())), around[0] + 17 + around[1],
                        "body " + body);
            }
        }
    }

    @Test
    void shouldWriteTheSentFrameAsJacksonDoes() throws Exception {
        for (String clientMsgId : AWKWARD) {
            ObjectNode tree = JSON.createObjectNode();
            tree.put("type", "sent");
            tree.put("clientMsgId", clientMsgId);
            tree.put("id", "2026120600000000000001000000000001");
            tree.put("conversation", "d:1:2");
            tree.put("seq", 123_456_789_012L);
            tree.put("ts", 1_765_000_000_000L);
            assertEquals(JSON.writeValueAsString(tree),
                    frames.sent(clientMsgId, "2026120600000000000001000000000001", "d:1:2", 123_456_789_012L, 1_765_000_000_000L));
        }
    }
}
