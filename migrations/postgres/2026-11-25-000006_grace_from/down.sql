ALTER TABLE persons DROP COLUMN grace_from;
