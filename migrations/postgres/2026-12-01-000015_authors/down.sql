DROP TABLE author_list_sign_offs;
DROP TABLE author_lists;
DROP TABLE author_exceptions;
DROP TABLE author_policy;
DELETE FROM person_roles WHERE role = 'publications';
ALTER TABLE person_roles DROP CONSTRAINT person_roles_role_check;
ALTER TABLE person_roles ADD CONSTRAINT person_roles_role_check
    CHECK (role IN ('admin', 'ib_chair'));
ALTER TABLE institutions DROP COLUMN address;
ALTER TABLE institutions DROP COLUMN paper_name;
ALTER TABLE persons DROP COLUMN inspire_id;
