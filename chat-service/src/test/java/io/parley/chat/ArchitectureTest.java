package io.parley.chat;

import io.parley.testsupport.PackageRules;
import org.junit.jupiter.api.Test;

/**
 * chat-service's package rule (see its README's package map): a one-way order in which a package uses only the
 * packages before it, so there is no package cycle. A new package has to be placed in the order (and in the map).
 * Where a lower package must hear from a higher one, it declares a small interface the higher one implements
 * (fanout's ChannelReceiver, store's PersistListener).
 */
class ArchitectureTest {

    @Test
    void packagesFormAOneWayOrderWithoutCycles() {
        PackageRules.of("io.parley.chat")
                .order("config",                       // settings; knows nothing of the service
                        "protocol",                     // the wire format: frames, ids, close codes
                        "client", "filter", "store",    // peers over HTTP, the word filter, Redis keys/scripts and MySQL
                        "fanout",                       // the node's pub/sub connection and its receivers' interface
                        "contacts",                     // contact lists (on the store)
                        "delivery",                     // this node's connections, outbound queues, acknowledgement windows
                        "quotas",                       // per-app (tenant) quotas, counted across the nodes
                        "presence", "notify", "topics", // features on top of the connections
                        "service",                      // send, sync, ack, read, groups, conversations
                        "gateway",                      // the WebSocket endpoints
                        "health", "admin", "rest")      // HTTP endpoints
                .check();
    }
}
