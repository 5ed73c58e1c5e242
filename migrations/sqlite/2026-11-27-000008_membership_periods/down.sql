DROP TABLE membership_reminders;
DROP TABLE transfers;
DROP INDEX affiliations_person_kind_idx;
ALTER TABLE affiliations DROP COLUMN end_note;
ALTER TABLE affiliations DROP COLUMN end_reason;
ALTER TABLE affiliations DROP COLUMN category;
ALTER TABLE affiliations DROP COLUMN kind;
