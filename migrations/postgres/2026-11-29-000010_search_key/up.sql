-- The folded names, account name and collaboration address a person is found by in the
-- directory (see shared::rules::search); b2mms fills it for existing people when it starts.
ALTER TABLE persons ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
