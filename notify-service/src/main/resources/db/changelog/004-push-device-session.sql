--liquibase formatted sql

--changeset parley:004-push-device-session
-- The session (the token's sid) that registered a push device: when auth-service ends that session (sign-out,
-- refresh-token reuse, account deletion) the registration is removed. NULL for rows registered before this column
-- existed; those stay until the device registers again or is unregistered.
ALTER TABLE push_devices ADD COLUMN session_id VARCHAR(64) NULL AFTER device_id;
CREATE INDEX idx_push_devices_session ON push_devices (session_id);
