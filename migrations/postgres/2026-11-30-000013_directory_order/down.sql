DROP INDEX persons_email_trgm_idx;
DROP INDEX persons_name_order_idx;
