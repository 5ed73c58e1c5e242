-- Credentials: password reset links, password history, expiry reminders, service tokens.

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_resets_person_idx ON password_resets (person_id);

CREATE TABLE password_history (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    password_hash TEXT NOT NULL,
    set_at TIMESTAMP NOT NULL
);
CREATE INDEX password_history_person_idx ON password_history (person_id, set_at);

CREATE TABLE password_reminders (
    person_id TEXT NOT NULL REFERENCES persons (id),
    expires_at TIMESTAMP NOT NULL,
    days_before INTEGER NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, expires_at, days_before)
);

CREATE TABLE service_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX service_tokens_created_by_idx ON service_tokens (created_by);
