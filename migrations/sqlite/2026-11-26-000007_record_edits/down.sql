DROP TABLE email_changes;
ALTER TABLE persons DROP COLUMN paper_name;
