package io.parley.chat.protocol;

import java.util.regex.Pattern;

/** What app ids and topic names may look like (they become parts of Redis channel names). */
public final class TopicNames {

    private static final Pattern APP = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_.:/-]+");

    private TopicNames() {
    }

    public static boolean validApp(String appId) {
        return appId != null && APP.matcher(appId).matches();
    }

    public static boolean validTopic(String topic, int maxChars) {
        return topic != null && !topic.isEmpty() && topic.length() <= maxChars && TOPIC.matcher(topic).matches();
    }
}
