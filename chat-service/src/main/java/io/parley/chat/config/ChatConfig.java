package io.parley.chat.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** chat-service settings (environment: {@code PARLEY_CHAT_*}). Every limit is here. */
@ConfigMapping(prefix = "parley.chat")
public interface ChatConfig {

    /** Where id-service is; message ids are allocated locally from sequence blocks leased there. */
    @WithDefault("http://127.0.0.1:8084")
    String idServiceUrl();

    /** Where auth-service is; used to check that a recipient user exists. */
    @WithDefault("http://127.0.0.1:8081")
    String authServiceUrl();

    /** Sequence numbers leased from id-service at a time. */
    @WithDefault("10000")
    int idBlockSize();

    /** Limits on what a client may send. */
    Limits limits();

    /** Keep-alive, acknowledgement and retransmission timing. */
    Delivery delivery();

    /** Write-behind from Redis streams to MySQL. */
    Persistence persistence();

    interface Limits {
        /** Largest message body, in characters. Larger: an {@code error} frame, nothing stored. */
        @WithDefault("4000")
        int maxBodyChars();

        /** Largest text frame, in bytes. Larger: the connection is closed (4513). */
        @WithDefault("65536")
        int maxFrameBytes();

        /** Sustained frames per second a connection may send. */
        @WithDefault("50")
        int framesPerSecond();

        /** Burst of frames above the sustained rate before the connection is closed (4429). */
        @WithDefault("200")
        int frameBurst();

        /** Frames waiting to be written to one connection; a client that lets more pile up is closed (4003). */
        @WithDefault("2000")
        int outboundQueue();

        /** Delivered but unacknowledged messages one connection may hold; past it the client is closed (4003). */
        @WithDefault("5000")
        int maxUnacked();

        /** Largest group. */
        @WithDefault("10000")
        int maxGroupMembers();

        /** Longest {@code clientMsgId}. */
        @WithDefault("64")
        int maxClientMsgIdChars();
    }

    interface Delivery {
        /** A connection that sends nothing (not even a ping) for this long is closed (4002). */
        @WithDefault("60S")
        Duration idleTimeout();

        /** A delivered message not acknowledged within this time is sent again. */
        @WithDefault("10S")
        Duration retransmitAfter();

        /** After this many unanswered retransmissions the connection is closed (4004) so the client resyncs. */
        @WithDefault("5")
        int retransmitAttempts();

        /** How long a {@code clientMsgId} is remembered for de-duplication. */
        @WithDefault("24H")
        Duration dedupeTtl();

        /** Most messages one {@code sync} sends per conversation; {@code synced} says {@code more:true} past it. */
        @WithDefault("1000")
        int syncPageSize();
    }

    interface Persistence {
        /** Persist streams (shards of the write-behind queue); each is read by one consumer group. */
        @WithDefault("4")
        int shards();

        /** Entries written to MySQL per batch. */
        @WithDefault("500")
        int batchSize();

        /** How often each node polls the persist streams. */
        @WithDefault("200ms")
        Duration pollInterval();

        /** Entries pending this long with a consumer (a crashed node) are claimed by another. */
        @WithDefault("30S")
        Duration claimIdle();

        /** Recent messages kept in each conversation's Redis stream after MySQL holds them (fast sync). */
        @WithDefault("1000")
        int hotMessages();
    }
}
