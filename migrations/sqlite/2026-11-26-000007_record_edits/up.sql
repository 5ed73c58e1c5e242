-- The name as printed in papers, and confirmations of a new contact email address.
ALTER TABLE persons ADD COLUMN paper_name TEXT;

CREATE TABLE email_changes (
    token_hash TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    new_email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX email_changes_person_idx ON email_changes (person_id);
