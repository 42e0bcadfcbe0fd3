package io.parley.chat.client;

import io.parley.chat.config.ChatConfig;
import io.parley.common.id.HttpSequenceBlockSource;
import io.parley.common.id.Id34Generator;
import io.parley.common.id.SequenceAllocator;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Clock;

/**
 * This node's share of the global sequence: blocks of {@code idBlockSize} numbers leased from id-service
 * ({@link HttpSequenceBlockSource}) and handed out locally, so allocating an id costs no network call (the next
 * block is leased in the background before the current one runs out). Message ids (34 characters) and group
 * ids (the bare sequence number as decimal text) both come from here. Non-blocking.
 */
@ApplicationScoped
public class IdAllocation {

    private final WebClient client;
    private final SequenceAllocator sequences;
    private final Id34Generator messageIds;

    public IdAllocation(Vertx vertx, ChatConfig config) {
        this.client = WebClient.create(vertx);
        this.sequences = new SequenceAllocator(
                new HttpSequenceBlockSource(client, URI.create(config.idServiceUrl())), config.idBlockSize());
        this.messageIds = new Id34Generator(sequences, Clock.systemUTC());
    }

    /** The next number of the global sequence (unique across every node and service that leases blocks). */
    public Uni<Long> nextSequence() {
        return sequences.next();
    }

    /** A new 34-character message id for a message sent by {@code user}. */
    public Uni<String> nextMessageId(long user) {
        return messageIds.next(user);
    }

    /**
     * A new message id without allocating a {@code Uni}, or {@code null} when the leased block is used up and the
     * caller must wait on {@link #nextMessageId(long)} (rare: the next block is prefetched).
     */
    public String tryNextMessageId(long user) {
        return messageIds.tryNext(user);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
