-- The directory's orders by category and by status read from an index like the order by name,
-- so that a page at any depth, begun after a person, needs no sort.
CREATE INDEX persons_category_order_idx ON persons (category, family_name, given_name, id);
CREATE INDEX persons_status_order_idx ON persons (status, family_name, given_name, id);
