package io.parley.chat.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.fanout.ChannelReceiver;
import jakarta.inject.Singleton;

/**
 * Counts fan-out gaps ({@code parley_chat_fanout_gaps_total}): each time the node's pub/sub connection was lost and
 * re-established, so its clients were asked to resync. A receiver of no channel — it only hears the gaps — so the
 * fan-out code stays free of metrics. The alert ParleyFanoutGaps (docs/operations.md) watches it.
 */
@Singleton
public class FanoutGapMetric implements ChannelReceiver {

    private final Counter gaps;

    public FanoutGapMetric(MeterRegistry metrics) {
        this.gaps = Counter.builder("parley.chat.fanout.gaps")
                .description("times the node's pub/sub connection was re-established and its clients asked to resync")
                .register(metrics);
    }

    @Override
    public boolean accepts(String channel) {
        return false;
    }

    @Override
    public void onMessage(String channel, String payload) {
        // accepts no channel
    }

    @Override
    public void onGap() {
        gaps.increment();
    }
}
