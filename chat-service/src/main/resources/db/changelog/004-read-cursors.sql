--liquibase formatted sql

--changeset parley:004-read-cursors
-- How far each user has read each conversation (explicit read receipts), written behind from Redis about once a
-- second, so unread counts come back after Redis lost its data. Sending counts as reading up to one's own message:
-- that part is rebuilt from messages (ix_messages_sender) instead.
CREATE TABLE read_cursors (
    user_id         BIGINT       NOT NULL,
    conversation_id VARCHAR(80)  NOT NULL,
    seq             BIGINT       NOT NULL,
    updated_at      TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (user_id, conversation_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
