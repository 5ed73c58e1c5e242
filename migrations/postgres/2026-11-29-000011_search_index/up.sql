-- Substring search in the directory by trigrams (pg_trgm ships with PostgreSQL and is trusted,
-- so the database's owner may install it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX persons_search_key_trgm_idx ON persons USING gin (search_key gin_trgm_ops);
