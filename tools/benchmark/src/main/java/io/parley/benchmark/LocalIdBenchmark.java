package io.parley.benchmark;

import io.parley.common.id.HttpSequenceBlockSource;
import io.parley.common.id.Id34Generator;
import io.parley.common.id.SequenceAllocator;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Clock;

/**
 * 34-character ids allocated in one process from blocks leased from the running id-service — what
 * chat-service does per message. Leases happen in the background while the current block drains.
 */
final class LocalIdBenchmark implements Benchmark {

    private static final int BLOCK_SIZE = 100_000;
    private final String idUrl;

    LocalIdBenchmark(String idUrl) {
        this.idUrl = idUrl;
    }

    @Override
    public String name() {
        return "ids-local";
    }

    @Override
    public void run(int seconds) {
        Vertx vertx = Vertx.vertx();
        try {
            SequenceAllocator allocator = new SequenceAllocator(
                    new HttpSequenceBlockSource(WebClient.create(vertx), URI.create(idUrl)), BLOCK_SIZE);
            Id34Generator ids = new Id34Generator(allocator, Clock.systemUTC());
            ids.next(1).await().indefinitely(); // first lease
            long sink = measure(ids, Math.max(1, seconds / 2)); // warm-up
            long start = System.nanoTime();
            long count = measure(ids, seconds);
            double perSecond = count / ((System.nanoTime() - start) / 1e9);
            Benchmark.report("34-char ids from leased blocks, one thread", perSecond, "ids/s", ">= 1,000,000 ids/s");
            Benchmark.report("block size (ids per lease)", BLOCK_SIZE, "ids", null);
            if (sink == 42) {
                System.out.println();
            }
        } finally {
            vertx.close();
        }
    }

    private static long measure(Id34Generator ids, int seconds) {
        long count = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long user = 4242;
        while (System.nanoTime() < end) {
            for (int k = 0; k < 1000; k++) {
                String id = ids.tryNext(user);
                if (id == null) {
                    id = ids.next(user).await().indefinitely(); // waited for a lease
                }
                count += id.length() == 34 ? 1 : 0;
            }
        }
        return count;
    }
}
