--liquibase formatted sql

--changeset parley:001-messages
-- Message history, written by the write-behind from the Redis persist streams (INSERT IGNORE: a replayed
-- entry is a no-op). Keyed by conversation so the table can later be partitioned (or sharded) by
-- conversation_id; history pages are PK range scans. uk_messages_id makes a message id unique.
CREATE TABLE messages (
    conversation_id VARCHAR(80)  NOT NULL,
    seq             BIGINT       NOT NULL,
    id              CHAR(34)     NOT NULL,
    sender          BIGINT       NOT NULL,
    recipient       VARCHAR(20)  NOT NULL,
    kind            VARCHAR(16)  NOT NULL,
    body            TEXT         NOT NULL,
    ts              BIGINT       NOT NULL,
    target          CHAR(34)     NULL,
    client_msg_id   VARCHAR(64)  NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE KEY uk_messages_id (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

--changeset parley:001-chat-groups
CREATE TABLE chat_groups (
    id         VARCHAR(20)  NOT NULL,
    name       VARCHAR(100) NOT NULL,
    owner      BIGINT       NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

--changeset parley:001-group-members
CREATE TABLE group_members (
    group_id  VARCHAR(20)  NOT NULL,
    user_id   BIGINT       NOT NULL,
    joined_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (group_id, user_id),
    KEY ix_group_members_user (user_id),
    CONSTRAINT fk_group_members_group FOREIGN KEY (group_id) REFERENCES chat_groups (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
