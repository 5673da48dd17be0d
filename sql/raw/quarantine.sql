-- Every input that did not load, with where it was and why. Nothing is dropped silently.
create table if not exists quarantine (
    source_file   varchar not null,   -- relative to the exports folder
    record        varchar not null,   -- 'file', 'line 17', 'message 3', 'event UID/occurrence', ...
    reason        varchar not null,
    source_kind   varchar,
    quarantined_at timestamptz
);
