-- Substring search in the directory through trigrams on SQLite too: a full-text table of
-- the search text and the contact address by person, kept by triggers. (PostgreSQL has its
-- trigram indexes since 000011 and 000013.)
CREATE VIRTUAL TABLE persons_search USING fts5(
    person_id UNINDEXED, search_key, email, tokenize = 'trigram'
);
INSERT INTO persons_search (person_id, search_key, email)
    SELECT id, search_key, email FROM persons;
CREATE TRIGGER persons_search_insert AFTER INSERT ON persons BEGIN
    INSERT INTO persons_search (person_id, search_key, email)
        VALUES (new.id, new.search_key, new.email);
END;
CREATE TRIGGER persons_search_update AFTER UPDATE OF search_key, email ON persons BEGIN
    DELETE FROM persons_search WHERE person_id = old.id;
    INSERT INTO persons_search (person_id, search_key, email)
        VALUES (new.id, new.search_key, new.email);
END;
CREATE TRIGGER persons_search_delete AFTER DELETE ON persons BEGIN
    DELETE FROM persons_search WHERE person_id = old.id;
END;
