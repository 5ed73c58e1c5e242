DROP INDEX persons_status_order_idx;
DROP INDEX persons_category_order_idx;
