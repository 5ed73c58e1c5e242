PRAGMA foreign_keys = OFF;
BEGIN;
UPDATE registrations SET state = 'approved' WHERE state = 'provisioning_failed';
CREATE TABLE registrations_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('identity_verified', 'awaiting_ir', 'awaiting_ib',
        'approved', 'provisioned', 'rejected', 'withdrawn', 'expired')),
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
    WHERE state IN ('identity_verified', 'awaiting_ir', 'awaiting_ib', 'approved');
COMMIT;
PRAGMA foreign_keys = ON;
