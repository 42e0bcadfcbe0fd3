package io.parley.id.service;

/** The parts of a decoded id, by kind; {@code type} tells which (an addition to the contract's fields). */
public sealed interface DecodedId {

    /** A 34-character id: {@code time} is ISO-8601 UTC (second precision). */
    record Id34Parts(String type, String time, long user, long sequence) implements DecodedId {
        public Id34Parts(String time, long user, long sequence) {
            this("id34", time, user, sequence);
        }
    }

    /** A Snowflake: {@code timestamp} in epoch milliseconds. */
    record SnowflakeParts(String type, long timestamp, int worker, int sequence) implements DecodedId {
        public SnowflakeParts(long timestamp, int worker, int sequence) {
            this("snowflake", timestamp, worker, sequence);
        }
    }
}
