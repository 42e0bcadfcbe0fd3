package io.parley.chat.store;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs one Redis command per item from a worker thread, a window of them in flight at a time (the client
 * pipelines them on its connection), and returns the replies in item order. Blocking: never on the event loop.
 */
public final class RedisWindows {

    static final int WINDOW = 256;
    static final Duration WAIT = Duration.ofSeconds(10);

    private RedisWindows() {
    }

    public static <T, R> List<R> run(List<T> items, Function<T, Uni<R>> command) {
        List<R> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += WINDOW) {
            List<Uni<R>> window = new ArrayList<>(WINDOW);
            for (T item : items.subList(from, Math.min(items.size(), from + WINDOW))) {
                window.add(command.apply(item));
            }
            out.addAll(Uni.join().all(window).andFailFast().await().atMost(WAIT));
        }
        return out;
    }
}
