package io.parley.chat.protocol;

import java.util.Set;

/**
 * Conversation ids: {@code d:<smallerUserId>:<largerUserId>} for a direct chat, {@code g:<groupId>} for a group.
 */
public record ConversationId(String value, boolean group, long userA, long userB, String groupId) {

    public static ConversationId direct(long one, long other) {
        long a = Math.min(one, other);
        long b = Math.max(one, other);
        return new ConversationId("d:" + a + ":" + b, false, a, b, null);
    }

    public static ConversationId group(String groupId) {
        return new ConversationId("g:" + groupId, true, 0, 0, groupId);
    }

    /** Parses an id, or returns {@code null} if the text is not one. */
    public static ConversationId parse(String text) {
        if (text == null || text.length() > 80) {
            return null;
        }
        if (text.startsWith("g:") && GroupIds.valid(text.substring(2))) {
            return group(text.substring(2));
        }
        if (text.startsWith("d:")) {
            int colon = text.indexOf(':', 2);
            // one spelling per conversation: no sign, no leading zero ("d:01:2" and "d:+1:2" are not "d:1:2")
            if (colon < 0 || !leadingDigit(text, 2) || !leadingDigit(text, colon + 1)) {
                return null;
            }
            try {
                long a = Long.parseLong(text, 2, colon, 10);
                long b = Long.parseLong(text, colon + 1, text.length(), 10);
                if (a <= 0 || b <= 0 || a > b) {
                    return null;
                }
                return new ConversationId(text, false, a, b, null);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean leadingDigit(String text, int at) {
        return at < text.length() && text.charAt(at) >= '1' && text.charAt(at) <= '9';
    }

    /** For a direct chat: whether the user is one of its two. */
    public boolean hasParticipant(long user) {
        return !group && (user == userA || user == userB);
    }

    /** Whether the user belongs to this conversation, given the groups the user is a member of. */
    public boolean hasMember(long user, Set<String> userGroups) {
        return group ? userGroups.contains(groupId) : hasParticipant(user);
    }

    /** For a direct chat: the other participant. */
    public long peerOf(long user) {
        return user == userA ? userB : userA;
    }

    @Override
    public String toString() {
        return value;
    }
}
