DROP TABLE author_list_sign_offs;
DROP TABLE author_lists;
DROP TABLE author_exceptions;
DROP TABLE author_policy;
DELETE FROM person_roles WHERE role = 'publications';
CREATE TABLE person_roles_next (
    person_id TEXT NOT NULL REFERENCES persons (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'ib_chair')),
    granted_at TIMESTAMP NOT NULL,
    granted_by TEXT REFERENCES persons (id),
    PRIMARY KEY (person_id, role)
);
INSERT INTO person_roles_next SELECT person_id, role, granted_at, granted_by FROM person_roles;
DROP TABLE person_roles;
ALTER TABLE person_roles_next RENAME TO person_roles;
CREATE INDEX person_roles_granted_by_idx ON person_roles (granted_by);
ALTER TABLE institutions DROP COLUMN address;
ALTER TABLE institutions DROP COLUMN paper_name;
ALTER TABLE persons DROP COLUMN inspire_id;
