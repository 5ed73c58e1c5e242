ALTER TABLE registrations DROP COLUMN claimed_by;
ALTER TABLE mail_outbox DROP COLUMN claimed_by;
