package io.parley.loadgen;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one event loop measured during one phase. Each {@link Lane} owns one and only its event loop writes it;
 * the orchestrator takes copies ({@link #copy}) on that event loop and merges them ({@link #add}).
 */
final class PhaseStats {

    /** Latencies above a minute are recorded as a minute (a lost message is counted separately). */
    static final long HIGHEST_MICROS = 60_000_000L;

    final Histogram delivery = new Histogram(HIGHEST_MICROS, 3);
    final Histogram sent = new Histogram(HIGHEST_MICROS, 3);
    /** topics --binary: the deliveries to clients on the CBOR subprotocol (also in {@link #delivery}). */
    final Histogram deliveryBinary = new Histogram(HIGHEST_MICROS, 3);
    /** send frames written. */
    long written;
    /** send frames answered with {@code sent}. */
    long confirmed;
    /** send frames answered with an {@code error} frame (its {@code ref} names the send). */
    long rejected;
    /** first copies of the generator's messages received by a client other than their sender. */
    long deliveries;
    /** further copies of a message a client had already received. */
    long duplicates;
    /** a sender receiving its own message on the connection it sent from. */
    long echoes;
    /** {@code message} frames whose body is not one of the generator's. */
    long foreign;
    /** topics: publications of an earlier phase (warm-up) received during this one; not deliveries. */
    long stale;
    /** topics: publications of a topic the receiving client did not subscribe to. */
    long misrouted;
    /** {@code ack} frames written. */
    long acksSent;
    /** coalesced acks: gaps in a conversation's seqs given up on after 2 s, and the seqs in them never seen. */
    long ackGapsSteppedOver;
    long ackSeqsSkipped;
    /** topics: {@code subscribed} answers. */
    long subscribed;
    /** {@code error} frames, by code. */
    final Map<String, Long> errors = new TreeMap<>();
    /** connections the server closed or broke, by close code ("none" for a broken connection). */
    final Map<String, Long> closes = new TreeMap<>();

    void recordDelivery(long micros) {
        delivery.recordValue(Math.min(Math.max(micros, 0), HIGHEST_MICROS));
    }

    void recordBinaryDelivery(long micros) {
        deliveryBinary.recordValue(Math.min(Math.max(micros, 0), HIGHEST_MICROS));
    }

    void recordSent(long micros) {
        sent.recordValue(Math.min(Math.max(micros, 0), HIGHEST_MICROS));
    }

    PhaseStats copy() {
        PhaseStats c = new PhaseStats();
        c.add(this);
        return c;
    }

    void add(PhaseStats o) {
        delivery.add(o.delivery);
        sent.add(o.sent);
        deliveryBinary.add(o.deliveryBinary);
        written += o.written;
        confirmed += o.confirmed;
        rejected += o.rejected;
        deliveries += o.deliveries;
        duplicates += o.duplicates;
        echoes += o.echoes;
        foreign += o.foreign;
        stale += o.stale;
        misrouted += o.misrouted;
        subscribed += o.subscribed;
        acksSent += o.acksSent;
        ackGapsSteppedOver += o.ackGapsSteppedOver;
        ackSeqsSkipped += o.ackSeqsSkipped;
        o.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
        o.closes.forEach((k, v) -> closes.merge(k, v, Long::sum));
    }

    /** A percentile of a microsecond histogram, in milliseconds with three decimals; null if it is empty. */
    static Double millis(Histogram h, double percentile) {
        if (h.getTotalCount() == 0) {
            return null;
        }
        long micros = percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile);
        return Math.round(micros) / 1000.0;
    }
}
