--liquibase formatted sql

--changeset parley:002-users-deleted
-- A deleted account keeps its row (ids in chat history stay resolvable, the username stays taken so nobody can
-- impersonate it) but can no longer sign in and is not found by id.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP(3) NULL;
