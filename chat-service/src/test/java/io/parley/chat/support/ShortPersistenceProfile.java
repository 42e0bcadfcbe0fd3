package io.parley.chat.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Write-behind and group limits small enough to observe in a test: 5 hot messages kept in each Redis log (so
 * history pages span Redis and MySQL after a handful of messages), a dead node's write-behind buckets taken over after 2 s, groups of
 * at most 5 members. A profile rather than {@code %test.} lines so the gateway tests keep the defaults.
 */
public class ShortPersistenceProfile implements QuarkusTestProfile {

    public static final int HOT_MESSAGES = 5;
    public static final int MAX_GROUP_MEMBERS = 5;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "parley.chat.persistence.hot-messages", Integer.toString(HOT_MESSAGES),
                "parley.chat.persistence.claim-idle", "2S",
                "parley.chat.persistence.poll-interval", "50ms",
                "parley.chat.persistence.idle-poll-interval", "200ms",
                "parley.chat.limits.max-group-members", Integer.toString(MAX_GROUP_MEMBERS));
    }
}
