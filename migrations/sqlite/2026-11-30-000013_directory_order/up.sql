-- The directory's default order (family name, given name, id) read from an index, so that a
-- page at any depth needs no sort.
CREATE INDEX persons_name_order_idx ON persons (family_name, given_name, id);
