DROP TABLE service_tokens;
DROP TABLE password_reminders;
DROP TABLE password_history;
DROP TABLE password_resets;
