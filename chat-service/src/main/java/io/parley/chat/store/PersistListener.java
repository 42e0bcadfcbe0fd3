package io.parley.chat.store;

import io.parley.chat.protocol.ChatMessage;
import java.util.List;

/**
 * Hears of each batch the write-behind has committed to MySQL, before the batch is acknowledged in Redis: a failure
 * thrown here makes the batch be written again, so a crash repeats what the listener did rather than losing it.
 * Blocking, on the write-behind thread. Implemented above the store (the offline relay), so the store knows no
 * listener by name.
 */
public interface PersistListener {

    void onPersisted(List<ChatMessage> messages);
}
