package io.parley.chat.protocol;

/**
 * One message as stored (Redis stream, MySQL) and delivered. {@code toUser} is set for direct chats,
 * {@code toGroup} for groups; {@code target} is the message an edit or delete refers to.
 */
public record ChatMessage(String id, String conversation, long seq, long from, long toUser, String toGroup,
                          String body, String kind, long ts, String target, String clientMsgId) {
}
