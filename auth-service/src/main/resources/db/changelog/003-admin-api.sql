--liquibase formatted sql

--changeset parley:003-admin-api
-- The admin API: an app the operator disabled refuses its API key and its tokens; a new generation of its token
-- session on every disable, so enabling it again does not bring back tokens issued before. A user the operator
-- blocked from sending (kept here; Redis holds the copy chat-service reads).
ALTER TABLE apps ADD COLUMN disabled_at TIMESTAMP(3) NULL;
ALTER TABLE apps ADD COLUMN token_generation INT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN send_blocked_at TIMESTAMP(3) NULL;
