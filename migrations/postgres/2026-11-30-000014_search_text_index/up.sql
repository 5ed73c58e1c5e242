-- The SQLite migration of this name adds a trigram full-text table; PostgreSQL has had its
-- trigram indexes since 000011 and 000013.
SELECT 1;
