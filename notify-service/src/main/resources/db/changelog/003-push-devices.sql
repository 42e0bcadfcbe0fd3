--liquibase formatted sql

--changeset parley:003-push-devices
-- Devices registered for push (FCM, APNs, Web Push): one row per user x device (the device id of the token that
-- registered it). token is the provider token or the Web Push endpoint; token_hash (SHA-256 of provider:token) is
-- unique, so a token registered again by another user moves to that user. p256dh/auth: the Web Push subscription's
-- keys. A push delivery's channel_id is this id.
CREATE TABLE push_devices (
    id          CHAR(32)      NOT NULL,
    user_id     BIGINT        NOT NULL,
    device_id   VARCHAR(128)  NOT NULL,
    provider    VARCHAR(16)   NOT NULL,
    token       VARCHAR(1024) NOT NULL,
    token_hash  CHAR(64)      NOT NULL,
    p256dh      VARCHAR(128)  NULL,
    auth        VARCHAR(64)   NULL,
    muted_until TIMESTAMP(3)  NULL,
    preview     VARCHAR(8)    NOT NULL DEFAULT 'full',
    created_at  TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at  TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_push_devices_user_device (user_id, device_id),
    UNIQUE KEY uk_push_devices_token (token_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
