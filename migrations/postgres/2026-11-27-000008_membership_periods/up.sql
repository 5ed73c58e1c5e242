-- Membership periods. An affiliation is either `primary` (a membership period at the home
-- institution, with its category) or `secondary` ("also at", for author lists). A period's
-- end is the date the membership ends (planned or past); `end_reason` says why it ended or
-- will end: none for the end of the term, `left`, or `transfer` to another institution.
ALTER TABLE affiliations ADD COLUMN kind TEXT NOT NULL DEFAULT 'primary'
    CHECK (kind IN ('primary', 'secondary'));
ALTER TABLE affiliations ADD COLUMN category TEXT
    CHECK (category IS NULL OR category IN ('physicist_permanent',
        'physicist_temporary', 'phd_student', 'student', 'technical_staff', 'visitor'));
ALTER TABLE affiliations ADD COLUMN end_reason TEXT
    CHECK (end_reason IN ('left', 'transfer'));
ALTER TABLE affiliations ADD COLUMN end_note TEXT;
UPDATE affiliations SET category = (
    SELECT persons.category FROM persons WHERE persons.id = affiliations.person_id
);
-- The open period carries the end the record has.
UPDATE affiliations SET end_date = (
    SELECT persons.membership_end FROM persons WHERE persons.id = affiliations.person_id
) WHERE end_date IS NULL;
UPDATE affiliations SET end_reason = 'left' WHERE end_date = (
    SELECT persons.membership_end FROM persons
    WHERE persons.id = affiliations.person_id AND persons.status = 'left'
);
CREATE INDEX affiliations_person_kind_idx ON affiliations (person_id, kind, start_date);

-- Changes of institution: asked by the member or the new institution's representative,
-- decided by the new institution's representative, carried out on the effective date.
CREATE TABLE transfers (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    from_institution_id TEXT NOT NULL REFERENCES institutions (id),
    to_institution_id TEXT NOT NULL REFERENCES institutions (id),
    effective_date DATE NOT NULL,
    category TEXT CHECK (category IS NULL OR category IN ('physicist_permanent',
            'physicist_temporary', 'phd_student', 'student', 'technical_staff', 'visitor')),
    state TEXT NOT NULL
        CHECK (state IN ('pending', 'approved', 'rejected', 'completed', 'cancelled')),
    requested_by TEXT NOT NULL REFERENCES persons (id),
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES persons (id),
    decided_at TIMESTAMP,
    reason TEXT,
    completed_at TIMESTAMP
);
CREATE INDEX transfers_person_idx ON transfers (person_id);
CREATE INDEX transfers_to_state_idx ON transfers (to_institution_id, state);
CREATE INDEX transfers_due_idx ON transfers (state, effective_date);
-- Of one person's transfers at most one is approved and not yet carried out.
CREATE UNIQUE INDEX transfers_one_approved_idx ON transfers (person_id) WHERE state = 'approved';

-- Reminders of a membership's end, each sent once per end date and threshold.
CREATE TABLE membership_reminders (
    person_id TEXT NOT NULL REFERENCES persons (id),
    end_date DATE NOT NULL,
    days_before INTEGER NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, end_date, days_before)
);
