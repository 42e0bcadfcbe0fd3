package io.parley.chat.delivery;

import java.util.Collection;

/**
 * Open sockets that the server pings ({@link DeliveryTimers}, one sweep per event loop) besides the chat connections:
 * a registry of another endpoint implements this, so delivery does not need to know it.
 */
public interface PingedSessions {

    Collection<ClientSession> all();
}
