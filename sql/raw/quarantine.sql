-- Every input that did not load, and every record that loaded but that no standard can use (a
-- message without a usable Date, an event without a start, a CRM activity without a date), with
-- where it was and why. Nothing is dropped silently (STANDARDS.md).
create table if not exists quarantine (
    source_file   varchar not null,   -- relative to the exports folder
    record        varchar not null,   -- 'file', 'line 17', 'message 3', 'event UID/occurrence', ...
    reason        varchar not null,
    source_kind   varchar,
    quarantined_at timestamptz,
    is_loaded     boolean             -- true: the record is still in its raw table (loaded but unusable,
                                      -- or loaded with a note); false: it was not loaded (a whole file
                                      -- when record = 'file'); null: written before this column existed
);
alter table quarantine add column if not exists is_loaded boolean;
