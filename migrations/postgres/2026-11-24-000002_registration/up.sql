-- Registration: invitations, requests, account-name reservations, groups.

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    email TEXT NOT NULL,
    category TEXT CHECK (category IS NULL OR category IN ('physicist_permanent',
        'physicist_temporary', 'phd_student', 'student', 'technical_staff', 'visitor')),
    given_name TEXT,
    family_name TEXT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'used', 'expired', 'revoked')),
    created_by TEXT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX invitations_institution_idx ON invitations (institution_id, status);
CREATE INDEX invitations_created_by_idx ON invitations (created_by);

CREATE TABLE registrations (
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
    provision_error TEXT
);
CREATE INDEX registrations_state_idx ON registrations (state, institution_id);
CREATE INDEX registrations_institution_idx ON registrations (institution_id);
CREATE INDEX registrations_link_person_idx ON registrations (link_person_id);
CREATE INDEX registrations_person_idx ON registrations (person_id);
-- One open request per certificate.
CREATE UNIQUE INDEX registrations_open_certificate_key ON registrations (certificate_dn)
    WHERE state IN ('identity_verified', 'awaiting_ir', 'awaiting_ib', 'approved');

-- Every account name in use or reserved by an open request: the one place that makes names
-- unique across accounts and requests, race-free.
CREATE TABLE account_names (
    name TEXT PRIMARY KEY NOT NULL,
    person_id TEXT UNIQUE REFERENCES persons (id),
    registration_id TEXT UNIQUE REFERENCES registrations (id),
    reserved_at TIMESTAMP NOT NULL
);
INSERT INTO account_names (name, person_id, reserved_at)
    SELECT account_name, person_id, created_at FROM accounts;

-- Certificate subject DNs linked to people.
CREATE TABLE person_certificates (
    subject_dn TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    linked_at TIMESTAMP NOT NULL
);
CREATE INDEX person_certificates_person_idx ON person_certificates (person_id);

CREATE TABLE collab_groups (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES collab_groups (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    since DATE NOT NULL,
    until DATE,
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX group_members_person_idx ON group_members (person_id);
