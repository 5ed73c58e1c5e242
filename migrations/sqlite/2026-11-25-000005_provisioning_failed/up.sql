-- A request whose account could not be created waits for an admin in 'provisioning_failed'.
-- One person, one open request: a submitted request's contact email and ORCID iD cannot
-- belong to another open request.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE registrations_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('identity_verified', 'awaiting_ir', 'awaiting_ib',
        'approved', 'provisioned', 'rejected', 'withdrawn', 'expired', 'provisioning_failed')),
    identity TEXT NOT NULL CHECK (identity IN ('invitation', 'certificate')),
    invitation_id TEXT UNIQUE REFERENCES invitations (id),
    certificate_dn TEXT,
    institution_id TEXT REFERENCES institutions (id),
    email TEXT,
    given_name TEXT,
    middle_name TEXT,
    family_name TEXT,
    account_name TEXT,
    password_hash TEXT,
    category TEXT CHECK (category IS NULL OR category IN ('physicist_permanent',
        'physicist_temporary', 'phd_student', 'student', 'technical_staff', 'visitor')),
    orcid TEXT,
    existing_account TEXT,
    comment TEXT,
    link_person_id TEXT REFERENCES persons (id),
    person_id TEXT REFERENCES persons (id),
    decision_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    decided_at TIMESTAMP,
    ir_reminded_at TIMESTAMP,
    admins_reminded_at TIMESTAMP,
    provision_attempts INTEGER NOT NULL DEFAULT 0,
    provision_next_at TIMESTAMP,
    provision_error TEXT,
    claimed_by TEXT
);
INSERT INTO registrations_rebuilt SELECT * FROM registrations;
DROP TABLE registrations;
ALTER TABLE registrations_rebuilt RENAME TO registrations;
CREATE INDEX registrations_state_idx ON registrations (state, institution_id);
CREATE INDEX registrations_institution_idx ON registrations (institution_id);
CREATE INDEX registrations_link_person_idx ON registrations (link_person_id);
CREATE INDEX registrations_person_idx ON registrations (person_id);
CREATE UNIQUE INDEX registrations_open_certificate_key ON registrations (certificate_dn)
    WHERE state IN ('identity_verified', 'awaiting_ir', 'awaiting_ib', 'approved', 'provisioning_failed');
CREATE UNIQUE INDEX registrations_open_email_key ON registrations (email)
    WHERE state IN ('awaiting_ir', 'awaiting_ib', 'approved', 'provisioning_failed');
CREATE UNIQUE INDEX registrations_open_orcid_key ON registrations (orcid)
    WHERE state IN ('awaiting_ir', 'awaiting_ib', 'approved', 'provisioning_failed');
COMMIT;
PRAGMA foreign_keys = ON;
