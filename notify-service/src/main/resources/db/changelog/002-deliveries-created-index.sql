--liquibase formatted sql

--changeset parley:002-deliveries-created-index
-- The retention purge walks the delivery log from the oldest row by creation time (and id), whatever order the
-- ids were given in.
ALTER TABLE deliveries ADD KEY ix_deliveries_created (created_at, id);
