-- Elections. Their options and electorate rule are JSON. From opening on, who may vote
-- (the frozen electorate, with whether each has voted) and what was voted (per option the
-- weights of the ballots that chose it, added) live in tables that share no ballot id, no
-- time and no per-ballot row: nothing stored pairs a voter with a choice. The receipts are
-- hashes of the codes voters got, to check that a ballot was counted. The three tables keep
-- their rows in key order (WITHOUT ROWID), not in the order they were written.
CREATE TABLE elections (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    options TEXT NOT NULL,
    max_choices INTEGER NOT NULL CHECK (max_choices >= 1),
    electorate TEXT NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    quorum REAL CHECK (quorum IS NULL OR (quorum > 0 AND quorum <= 1)),
    state TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed', 'published')),
    created_by TEXT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMP NOT NULL,
    reminded BOOLEAN NOT NULL DEFAULT 0,
    CHECK (closes_at > opens_at)
);
CREATE INDEX elections_state_idx ON elections (state, opens_at);

CREATE TABLE election_electors (
    election_id TEXT NOT NULL REFERENCES elections (id),
    elector_id TEXT NOT NULL,
    name TEXT NOT NULL,
    weight BIGINT NOT NULL CHECK (weight > 0),
    voted BOOLEAN NOT NULL,
    PRIMARY KEY (election_id, elector_id)
) WITHOUT ROWID;

CREATE TABLE election_tallies (
    election_id TEXT NOT NULL REFERENCES elections (id),
    option_index INTEGER NOT NULL,
    votes BIGINT NOT NULL,
    PRIMARY KEY (election_id, option_index)
) WITHOUT ROWID;

CREATE TABLE election_receipts (
    election_id TEXT NOT NULL REFERENCES elections (id),
    receipt_hash TEXT NOT NULL,
    PRIMARY KEY (election_id, receipt_hash)
) WITHOUT ROWID;
