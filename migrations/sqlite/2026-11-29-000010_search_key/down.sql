ALTER TABLE persons DROP COLUMN search_key;
