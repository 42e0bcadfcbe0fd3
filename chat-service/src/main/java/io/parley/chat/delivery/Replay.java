package io.parley.chat.delivery;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * Reads a range of a conversation back from the store (the Redis log, MySQL for what Redis trimmed), encoded as
 * {@code message} frames, for retransmission. Implemented where the store is read (the sync service); delivery only
 * knows this interface.
 */
public interface Replay {

    /** The message frames of {@code conversation} with {@code afterSeq < seq <= upToSeq}, in seq order (at most a page). */
    Uni<List<Replayed>> range(String conversation, long afterSeq, long upToSeq);

    /** One message frame and its seq. */
    record Replayed(long seq, String frame) {
    }
}
