--liquibase formatted sql

--changeset parley:003-app-access
-- An app's topic access, kept here so it survives Redis losing its data (Redis holds the hot copy, rebuilt from
-- these rows on a miss). One row per app that ever changed its access; no row: private, no grants.
CREATE TABLE app_access (
    app_id     VARCHAR(64)  NOT NULL,
    is_public  BOOLEAN      NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (app_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

--changeset parley:003-app-grants
CREATE TABLE app_grants (
    app_id     VARCHAR(64)  NOT NULL,
    user_id    BIGINT       NOT NULL,
    granted_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (app_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

--changeset parley:003-messages-participant-and-age-indexes
-- ix_messages_sender / ix_messages_recipient: a user's direct conversations, to rebuild the conversation index
-- (GET /conversations) from history when Redis lost it. ix_messages_ts: the retention purge finds what is older
-- than the cutoff without a table scan.
ALTER TABLE messages
    ADD KEY ix_messages_sender (sender, conversation_id),
    ADD KEY ix_messages_recipient (recipient, conversation_id),
    ADD KEY ix_messages_ts (ts);
