package io.parley.chat.service;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.store.ReadCursorRepository;
import io.parley.common.thread.BackgroundLoop;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Writes read cursors behind to MySQL: a read receipt records its cursor here (a map update, safe on the event
 * loop); a background loop writes what gathered, coalesced to the highest seq per user and conversation, every
 * {@code PARLEY_CHAT_RECOVERY_READ_CURSOR_FLUSH_INTERVAL}. A node that dies loses at most that interval of read
 * positions, and only if Redis loses its data too.
 */
@Singleton
public class ReadCursorKeeper {

    private static final Logger LOG = Logger.getLogger(ReadCursorKeeper.class);

    private record Key(long user, String conversation) {
    }

    private final ReadCursorRepository repository;
    private final Map<Key, Long> pending = new ConcurrentHashMap<>();
    private final BackgroundLoop loop;

    public ReadCursorKeeper(ReadCursorRepository repository, ChatConfig config) {
        this.repository = repository;
        this.loop = new BackgroundLoop("read-cursor-writer", "read cursor write-behind", LOG, this::flush)
                .idle(config.recovery().readCursorFlushInterval());
    }

    void start(@Observes StartupEvent event) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) {
        loop.stop(Duration.ofSeconds(5));
        flush(); // what gathered since the last round
    }

    public void record(long user, String conversation, long seq) {
        pending.merge(new Key(user, conversation), seq, Math::max);
    }

    /** Writes what gathered; a failure puts it back for the next round. */
    boolean flush() {
        if (pending.isEmpty()) {
            return false;
        }
        List<ReadCursorRepository.Cursor> batch = new ArrayList<>();
        for (Key key : List.copyOf(pending.keySet())) {
            Long seq = pending.remove(key);
            if (seq != null) {
                batch.add(new ReadCursorRepository.Cursor(key.user(), key.conversation(), seq));
            }
        }
        try {
            repository.raise(batch);
        } catch (RuntimeException e) {
            batch.forEach(c -> record(c.user(), c.conversation(), c.seq()));
            throw e;
        }
        return false;
    }
}
