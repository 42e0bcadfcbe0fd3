package io.parley.notify.preference;

import io.parley.notify.channel.ChannelType;
import java.util.List;

/** A user's relay preferences: whether to relay at all, the digest window, and to which channel types. */
public record Preferences(boolean relay, int digestSeconds, List<ChannelType> channels) {

    public List<String> channelNames() {
        return channels.stream().map(ChannelType::wire).toList();
    }
}
