DROP TABLE group_members;
DROP TABLE collab_groups;
DROP TABLE person_certificates;
DROP TABLE account_names;
DROP TABLE registrations;
DROP TABLE invitations;
