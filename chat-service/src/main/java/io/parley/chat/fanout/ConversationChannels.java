package io.parley.chat.fanout;

import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.RedisKeys;

/** Where a frame about a conversation (typing, read) goes: the group's channel, or the other participant's. */
public final class ConversationChannels {

    private ConversationChannels() {
    }

    public static String othersOf(ConversationId conversation, long user) {
        return conversation.group()
                ? RedisKeys.groupChannel(conversation.groupId())
                : RedisKeys.userChannel(conversation.peerOf(user));
    }
}
