package io.parley.notify.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.common.redis.SharedKeys;
import io.parley.notify.config.NotifyConfig;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

/**
 * notify-service's side of the contract with chat-service: the presence key it asks about and the outbox stream it
 * consumes are common's names (chat-service's SharedRedisKeysTest pins its side; common's OutboxEventTest the JSON).
 */
class SharedNamesTest {

    @Test
    void presenceIsTheSharedKey() {
        assertEquals(SharedKeys.presence(1234567890L), Presence.key(1234567890L));
    }

    @Test
    void theOutboxStreamDefaultsToTheSharedName() throws NoSuchMethodException {
        WithDefault stream = NotifyConfig.Outbox.class.getMethod("stream").getAnnotation(WithDefault.class);
        assertEquals(SharedKeys.OUTBOX_STREAM, stream.value());
    }
}
