DROP TABLE group_applications;
DROP TABLE group_managers;
ALTER TABLE collab_groups DROP COLUMN join_policy;
