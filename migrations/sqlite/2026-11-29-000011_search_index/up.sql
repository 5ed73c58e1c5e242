-- PostgreSQL indexes the directory's search text by trigrams; SQLite scans it (a LIKE with a
-- leading wildcard uses no index there).
SELECT 1;
