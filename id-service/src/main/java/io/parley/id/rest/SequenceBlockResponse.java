package io.parley.id.rest;

/** {@code {"start", "end"}}: the leased numbers, start inclusive, end exclusive (the shape HttpSequenceBlockSource reads). */
public record SequenceBlockResponse(long start, long end) {
}
