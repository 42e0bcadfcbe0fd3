package io.parley.loadgen;

import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Exact loss accounting. A message counts once the server confirmed it ({@code sent}: durable); it is expected
 * at every recipient that was connected for the whole phase; it is lost at a recipient that has not received
 * it by the end of the drain. Message numbers are relative to the sender's first message of the phase.
 */
final class Ledger {

    private Ledger() {
    }

    /**
     * What one sender sent in the phase.
     *
     * @param sender client index of the sender
     * @param confirmed the message numbers (relative) the server confirmed with {@code sent}
     * @param groupMembers client indexes of the sender's group (the sender itself is skipped), or null
     * @param targets for direct messages: the recipient client index of each relative message number, or null
     */
    record SenderLog(int sender, BitSet confirmed, int[] groupMembers, int[] targets) {
    }

    record Outcome(long expected, long lost) {
        double lossPercent() {
            return expected == 0 ? 0 : 100.0 * lost / expected;
        }
    }

    /**
     * @param received per eligible recipient (client index), per sender, the relative message numbers it got;
     *                 recipients missing from the map (not connected for the whole phase) are not counted
     */
    static Outcome count(List<SenderLog> senders, Map<Integer, Map<Integer, BitSet>> received) {
        long expected = 0;
        long lost = 0;
        for (SenderLog log : senders) {
            if (log.groupMembers() != null) {
                long confirmed = log.confirmed().cardinality();
                for (int member : log.groupMembers()) {
                    Map<Integer, BitSet> got = member == log.sender() ? null : received.get(member);
                    if (got == null) {
                        continue;
                    }
                    expected += confirmed;
                    BitSet missing = (BitSet) log.confirmed().clone();
                    BitSet fromSender = got.get(log.sender());
                    if (fromSender != null) {
                        missing.andNot(fromSender);
                    }
                    lost += missing.cardinality();
                }
            } else {
                BitSet confirmed = log.confirmed();
                for (int n = confirmed.nextSetBit(0); n >= 0; n = confirmed.nextSetBit(n + 1)) {
                    Map<Integer, BitSet> got = n < log.targets().length ? received.get(log.targets()[n]) : null;
                    if (got == null) {
                        continue;
                    }
                    expected++;
                    BitSet fromSender = got.get(log.sender());
                    if (fromSender == null || !fromSender.get(n)) {
                        lost++;
                    }
                }
            }
        }
        return new Outcome(expected, lost);
    }
}
