-- Background work is claimed by a named instance for a short, renewed lease, so that an
-- instance can release its own claims when it starts again after a crash.
ALTER TABLE mail_outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE registrations ADD COLUMN claimed_by TEXT;
-- Undeliverable mail is no longer given up on: it stays queued with a capped backoff.
UPDATE mail_outbox SET status = 'pending' WHERE status = 'failed';
