DROP TABLE mailing_lists;
