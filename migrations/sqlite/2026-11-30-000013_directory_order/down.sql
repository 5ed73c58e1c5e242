DROP INDEX persons_name_order_idx;
