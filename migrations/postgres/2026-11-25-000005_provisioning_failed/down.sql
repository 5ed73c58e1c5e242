DROP INDEX registrations_open_orcid_key;
DROP INDEX registrations_open_email_key;
DROP INDEX registrations_open_certificate_key;
UPDATE registrations SET state = 'approved' WHERE state = 'provisioning_failed';
ALTER TABLE registrations DROP CONSTRAINT registrations_state_check;
ALTER TABLE registrations ADD CONSTRAINT registrations_state_check CHECK (state IN (
    'identity_verified', 'awaiting_ir', 'awaiting_ib', 'approved', 'provisioned', 'rejected',
    'withdrawn', 'expired'));
CREATE UNIQUE INDEX registrations_open_certificate_key ON registrations (certificate_dn)
    WHERE state IN ('identity_verified', 'awaiting_ir', 'awaiting_ib', 'approved');
