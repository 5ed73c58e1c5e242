-- Groups beyond the main one (`main_group` of the configuration: every active member, never
-- joined or left by hand): how they are joined, who manages them, and applications.
ALTER TABLE collab_groups ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'closed'
    CHECK (join_policy IN ('open', 'approval', 'closed'));

CREATE TABLE group_managers (
    group_id TEXT NOT NULL REFERENCES collab_groups (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    since TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX group_managers_person_idx ON group_managers (person_id);

CREATE TABLE group_applications (
    id TEXT PRIMARY KEY NOT NULL,
    group_id TEXT NOT NULL REFERENCES collab_groups (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn')),
    reason TEXT NOT NULL,
    decision_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES persons (id)
);
CREATE INDEX group_applications_group_state_idx ON group_applications (group_id, state);
CREATE INDEX group_applications_person_idx ON group_applications (person_id);
-- One pending application per person and group.
CREATE UNIQUE INDEX group_applications_one_pending_idx ON group_applications (group_id, person_id)
    WHERE state = 'pending';
