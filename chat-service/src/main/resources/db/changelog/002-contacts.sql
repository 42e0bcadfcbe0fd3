--liquibase formatted sql

--changeset parley:002-contacts
-- One row per "owner added contact". Presence flows between two users once both rows exist (mutual); the
-- reverse index finds who has a user as a contact.
CREATE TABLE contacts (
    owner_id   BIGINT       NOT NULL,
    contact_id BIGINT       NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (owner_id, contact_id),
    KEY ix_contacts_contact (contact_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
