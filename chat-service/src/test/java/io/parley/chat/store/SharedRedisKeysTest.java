package io.parley.chat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.chat.config.ChatConfig;
import io.parley.common.redis.SharedKeys;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

/**
 * chat-service's side of the contract with notify-service: the presence key it keeps and the outbox stream it
 * appends to are common's names (notify-service's SharedNamesTest pins its side; common's OutboxEventTest the JSON).
 */
class SharedRedisKeysTest {

    @Test
    void presenceIsTheSharedKey() {
        assertEquals(SharedKeys.presence(1234567890L), RedisKeys.presence(1234567890L));
        assertEquals(SharedKeys.presence(5) + ":conns", RedisKeys.presenceConnections(5));
        assertEquals(SharedKeys.presence(5) + ":state", RedisKeys.presenceState(5));
    }

    @Test
    void theOutboxStreamDefaultsToTheSharedName() throws NoSuchMethodException {
        WithDefault stream = ChatConfig.Notify.class.getMethod("outboxStream").getAnnotation(WithDefault.class);
        assertEquals(SharedKeys.OUTBOX_STREAM, stream.value());
    }
}
