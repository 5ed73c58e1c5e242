DROP TABLE password_setups;
