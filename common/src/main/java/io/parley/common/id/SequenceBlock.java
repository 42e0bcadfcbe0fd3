package io.parley.common.id;

/** A leased range of sequence numbers, {@code start} inclusive, {@code end} exclusive, owned by one caller. */
public record SequenceBlock(long start, long end) {

    public SequenceBlock {
        if (end <= start) {
            throw new IllegalArgumentException("empty block " + start + ".." + end);
        }
    }

    public long size() {
        return end - start;
    }
}
