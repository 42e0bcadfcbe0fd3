--liquibase formatted sql

--changeset parley:004-users-personal-data-erased
-- When the retention purge erased a deleted account's personal data (display name, password hash, devices). The
-- index lets each purge batch find the deleted accounts still to erase without reading the erased ones again.
ALTER TABLE users
    ADD COLUMN personal_data_erased_at TIMESTAMP(3) NULL,
    ADD KEY ix_users_erase_due (personal_data_erased_at, deleted_at);
