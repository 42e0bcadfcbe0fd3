--liquibase formatted sql

--changeset parley:005-seq-floors
-- The last seq of each conversation whose messages the retention purge deleted: seq counters leave Redis with a quiet
-- conversation, and its next message takes its seq floor from MySQL — from here when retention removed every message
-- it had, so seqs never start again below what devices have seen.
CREATE TABLE seq_floors (
    conversation_id VARCHAR(80)  NOT NULL,
    seq             BIGINT       NOT NULL,
    PRIMARY KEY (conversation_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
