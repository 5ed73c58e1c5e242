-- The directory's default order (family name, given name, id) read from an index, so that a
-- page at any depth needs no sort; an administrator's search of contact addresses through
-- trigrams like the search text.
CREATE INDEX persons_name_order_idx ON persons (family_name, given_name, id);
CREATE INDEX persons_email_trgm_idx ON persons USING gin (email gin_trgm_ops);
