-- The day the grace period before an account is disabled starts: the end of the membership,
-- or the day it was recorded when an administrator backdated it.
ALTER TABLE persons ADD COLUMN grace_from DATE;
