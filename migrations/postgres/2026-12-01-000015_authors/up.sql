-- Author lists: how people and institutions are printed in papers, the policy that makes a
-- member an author, individual decisions, the lists themselves with their institutions'
-- sign-offs, and the `publications` role that may create lists.
ALTER TABLE persons ADD COLUMN inspire_id TEXT;
ALTER TABLE institutions ADD COLUMN paper_name TEXT;
ALTER TABLE institutions ADD COLUMN address TEXT;

-- The role list gains `publications`.
ALTER TABLE person_roles DROP CONSTRAINT person_roles_role_check;
ALTER TABLE person_roles ADD CONSTRAINT person_roles_role_check
    CHECK (role IN ('admin', 'ib_chair', 'publications'));

-- One row: the categories that qualify (a comma-separated list of category names), the
-- months of membership before a person becomes an author and the months they stay after.
CREATE TABLE author_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    categories TEXT NOT NULL,
    qualification_months INTEGER NOT NULL CHECK (qualification_months >= 0),
    months_after_end INTEGER NOT NULL CHECK (months_after_end >= 0),
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT REFERENCES persons (id)
);

-- Decisions about one person that override the rules from one day to another (inclusive).
CREATE TABLE author_exceptions (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('include', 'exclude')),
    reason TEXT NOT NULL,
    from_date DATE NOT NULL,
    until_date DATE,
    decided_by TEXT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (until_date IS NULL OR until_date >= from_date)
);
CREATE INDEX author_exceptions_person_idx ON author_exceptions (person_id, created_at);

-- A list is computed from the records while in draft or review; freezing stores what it
-- was (`snapshot`, JSON) and nothing changes it afterwards.
CREATE TABLE author_lists (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    reference TEXT,
    list_date DATE NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'review', 'frozen')),
    snapshot TEXT,
    created_by TEXT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    frozen_by TEXT REFERENCES persons (id),
    frozen_at TIMESTAMP,
    CHECK ((state = 'frozen') = (snapshot IS NOT NULL))
);
CREATE INDEX author_lists_created_idx ON author_lists (created_at);

-- An institution's representatives confirm their section of a list under review.
CREATE TABLE author_list_sign_offs (
    list_id TEXT NOT NULL REFERENCES author_lists (id),
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    signed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (list_id, institution_id)
);
