package io.parley.chat.protocol;

import java.util.Map;

/** A frame a client sent, parsed and checked by {@link FrameParser}. */
public sealed interface ClientFrame {

    /** {@code send}: exactly one of {@code toUser} (> 0) and {@code toGroup} is set. */
    record Send(String clientMsgId, long toUser, String toGroup, String body, String kind) implements ClientFrame {
        public boolean toGroupChat() {
            return toGroup != null;
        }
    }

    /** {@code ack}: everything up to {@code seq} in the conversation reached this device. */
    record Ack(ConversationId conversation, long seq) implements ClientFrame {
    }

    /** {@code sync}: the client's last seq per conversation (may be empty). */
    record Sync(Map<String, Long> cursors) implements ClientFrame {
    }

    /** {@code ping}. */
    record Ping() implements ClientFrame {
    }
}
