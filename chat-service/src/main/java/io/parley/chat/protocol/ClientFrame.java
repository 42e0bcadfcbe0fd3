package io.parley.chat.protocol;

import java.util.List;
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

    /** {@code edit} ({@code body} set) or {@code delete} ({@code body} null) of the caller's message {@code target}. */
    record Change(String clientMsgId, ConversationId conversation, String target, String body) implements ClientFrame {
        public boolean isDelete() {
            return body == null;
        }

        public String kind() {
            return isDelete() ? "delete" : "edit";
        }
    }

    /** {@code read}: the user has read everything up to {@code seq} in the conversation. */
    record Read(ConversationId conversation, long seq) implements ClientFrame {
    }

    /** {@code typing} in the conversation (not stored). */
    record Typing(ConversationId conversation) implements ClientFrame {
    }

    /** {@code subscribe} ({@code subscribe} true) or {@code unsubscribe} to topics of one app. */
    record Topics(String appId, List<String> topics, boolean subscribe) implements ClientFrame {
    }

    /** {@code ping}. */
    record Ping() implements ClientFrame {
    }

    /** {@code token}: a fresh access token for the open connection (it then lives until that token's expiry). */
    record Token(String token) implements ClientFrame {
    }
}
