-- A request whose account could not be created waits for an admin in 'provisioning_failed'.
-- One person, one open request: a submitted request's contact email and ORCID iD cannot
-- belong to another open request.
ALTER TABLE registrations DROP CONSTRAINT registrations_state_check;
ALTER TABLE registrations ADD CONSTRAINT registrations_state_check CHECK (state IN (
    'identity_verified', 'awaiting_ir', 'awaiting_ib', 'approved', 'provisioned', 'rejected',
    'withdrawn', 'expired', 'provisioning_failed'));
DROP INDEX registrations_open_certificate_key;
CREATE UNIQUE INDEX registrations_open_certificate_key ON registrations (certificate_dn)
    WHERE state IN ('identity_verified', 'awaiting_ir', 'awaiting_ib', 'approved', 'provisioning_failed');
CREATE UNIQUE INDEX registrations_open_email_key ON registrations (email)
    WHERE state IN ('awaiting_ir', 'awaiting_ib', 'approved', 'provisioning_failed');
CREATE UNIQUE INDEX registrations_open_orcid_key ON registrations (orcid)
    WHERE state IN ('awaiting_ir', 'awaiting_ib', 'approved', 'provisioning_failed');
