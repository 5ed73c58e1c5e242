-- Mailing lists kept from the records: the audience is a rule on the records (JSON), the
-- extra and excluded addresses JSON arrays of lower-case addresses. The sync columns say
-- when the list was last made equal in Mailman, what went wrong since, and when to try next.
CREATE TABLE mailing_lists (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    audience TEXT NOT NULL,
    extra_addresses TEXT NOT NULL,
    excluded_addresses TEXT NOT NULL,
    subscribe_with TEXT NOT NULL CHECK (subscribe_with IN ('contact_email', 'registry_email')),
    send_welcome BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    synced_at TIMESTAMP,
    sync_error TEXT,
    sync_failures INTEGER NOT NULL DEFAULT 0,
    next_sync_at TIMESTAMP
);
