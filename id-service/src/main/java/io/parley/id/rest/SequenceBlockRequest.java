package io.parley.id.rest;

/** {@code {"size": N}}: how many sequence numbers to lease. */
public record SequenceBlockRequest(Long size) {
}
