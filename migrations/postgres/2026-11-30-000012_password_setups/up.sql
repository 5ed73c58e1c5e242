-- Accounts made without a password (a bulk import): the person chooses one through a
-- set-password link, mailed when an administrator decides. The row goes when the password
-- is set.
CREATE TABLE password_setups (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES persons (id),
    created_at TIMESTAMP NOT NULL,
    mailed_at TIMESTAMP
);
CREATE INDEX password_setups_unmailed_idx ON password_setups (created_at) WHERE mailed_at IS NULL;
