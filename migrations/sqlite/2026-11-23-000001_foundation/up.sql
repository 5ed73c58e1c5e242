-- Institutions, people, accounts, roles, sessions, signing keys, audit log and mail outbox.

CREATE TABLE institutions (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT NOT NULL,
    ror_id TEXT,
    inspire_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX institutions_name_key ON institutions (lower(name));
CREATE UNIQUE INDEX institutions_short_name_key ON institutions (lower(short_name));

CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL,
    given_name TEXT NOT NULL,
    middle_name TEXT,
    family_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    registry_email TEXT UNIQUE,
    orcid TEXT UNIQUE,
    category TEXT NOT NULL CHECK (category IN ('physicist_permanent', 'physicist_temporary',
        'phd_student', 'student', 'technical_staff', 'visitor')),
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'expired', 'left')),
    membership_start DATE,
    membership_end DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX persons_institution_idx ON persons (institution_id);
CREATE INDEX persons_family_name_idx ON persons (lower(family_name));

CREATE TABLE affiliations (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    start_date DATE NOT NULL,
    end_date DATE
);
CREATE INDEX affiliations_person_idx ON affiliations (person_id);
CREATE INDEX affiliations_institution_idx ON affiliations (institution_id);

CREATE TABLE accounts (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES persons (id),
    account_name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    password_set_at TIMESTAMP NOT NULL,
    password_expires_at TIMESTAMP NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'locked', 'disabled')),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE person_roles (
    person_id TEXT NOT NULL REFERENCES persons (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'ib_chair')),
    granted_at TIMESTAMP NOT NULL,
    granted_by TEXT REFERENCES persons (id),
    PRIMARY KEY (person_id, role)
);
CREATE INDEX person_roles_granted_by_idx ON person_roles (granted_by);

CREATE TABLE institution_representatives (
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    since TIMESTAMP NOT NULL,
    PRIMARY KEY (institution_id, person_id)
);
CREATE INDEX institution_representatives_person_idx ON institution_representatives (person_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_person_idx ON sessions (person_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    algorithm TEXT NOT NULL,
    private_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT REFERENCES persons (id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    request_id TEXT
);
CREATE INDEX audit_events_subject_idx ON audit_events (subject_id, at);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id);

CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    sent_at TIMESTAMP
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (status, next_attempt_at);
