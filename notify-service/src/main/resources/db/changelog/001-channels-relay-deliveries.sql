--liquibase formatted sql

--changeset parley:001-channels
-- A user's bound channels. A channel receives nothing until verified. code_hash is the SHA-256 of the pending
-- verification code (email, wechat) or webhook challenge; secret is the webhook's HMAC key.
CREATE TABLE channels (
    id              CHAR(32)      NOT NULL,
    user_id         BIGINT        NOT NULL,
    type            VARCHAR(16)   NOT NULL,
    address         VARCHAR(320)  NOT NULL,
    secret          VARCHAR(64)   NULL,
    verified        BOOLEAN       NOT NULL DEFAULT FALSE,
    code_hash       CHAR(64)      NULL,
    code_expires_at TIMESTAMP(3)  NULL,
    verify_attempts INT           NOT NULL DEFAULT 0,
    created_at      TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_channels_user_type_address (user_id, type, address)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

--changeset parley:001-preferences
CREATE TABLE preferences (
    user_id        BIGINT        NOT NULL,
    relay          BOOLEAN       NOT NULL,
    digest_seconds INT           NOT NULL,
    channels       VARCHAR(100)  NOT NULL,
    updated_at     TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

--changeset parley:001-relay-events
-- Outbox events taken from the Redis stream: written (INSERT IGNORE on user + message id) before the stream entry
-- is acknowledged, so a crash loses nothing and a re-read entry is a no-op. digest_key names the digest that
-- relayed (or skipped) the event; NULL while its window is open.
CREATE TABLE relay_events (
    id          BIGINT        NOT NULL AUTO_INCREMENT,
    user_id     BIGINT        NOT NULL,
    message_id  VARCHAR(64)   NOT NULL,
    payload     TEXT          NOT NULL,
    received_at TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    digest_key  CHAR(64)      NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_relay_events_user_message (user_id, message_id),
    KEY ix_relay_events_user_digest (user_id, digest_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

--changeset parley:001-relay-windows
-- One open digest window per user: opened by the user's first undigested event, closed (deleted) by the flush.
CREATE TABLE relay_windows (
    user_id  BIGINT        NOT NULL,
    due_at   TIMESTAMP(3)  NOT NULL,
    PRIMARY KEY (user_id),
    KEY ix_relay_windows_due (due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

--changeset parley:001-notifications
CREATE TABLE notifications (
    id         CHAR(32)      NOT NULL,
    app_id     VARCHAR(64)   NOT NULL,
    title      VARCHAR(200)  NOT NULL,
    body       TEXT          NOT NULL,
    data       TEXT          NULL,
    created_at TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_notifications_app (app_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

--changeset parley:001-deliveries
-- The delivery log: one row per user x channel x (notification or digest). idem_key is unique, so a replayed
-- flush or a second instance never creates a second send; it travels as X-Parley-Delivery so a receiver can drop
-- the repeat of a send cut off by a crash. status: pending, sending, retrying, delivered, dead, no_channel,
-- skipped_online. Due work is found by (status, next_attempt_at).
CREATE TABLE deliveries (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    idem_key        CHAR(64)      NOT NULL,
    kind            VARCHAR(16)   NOT NULL,
    notification_id CHAR(32)      NULL,
    app_id          VARCHAR(64)   NULL,
    user_id         BIGINT        NOT NULL,
    channel_type    VARCHAR(16)   NOT NULL,
    channel_id      CHAR(32)      NULL,
    status          VARCHAR(16)   NOT NULL,
    attempts        INT           NOT NULL DEFAULT 0,
    last_error      VARCHAR(500)  NULL,
    payload         MEDIUMTEXT    NOT NULL,
    next_attempt_at TIMESTAMP(3)  NULL,
    created_at      TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at      TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_deliveries_idem (idem_key),
    KEY ix_deliveries_due (status, next_attempt_at),
    KEY ix_deliveries_notification (notification_id),
    KEY ix_deliveries_user_status (user_id, status),
    KEY ix_deliveries_app_status (app_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
