-- The export files whose rows passed the raw checks (aemetrics.quality, docs/quality.md "Incremental
-- raw checks"): a later run checks only the rows of the other files (new, changed, or not passed).
create table if not exists validation_checked_files (
    table_name   varchar not null,   -- the raw table
    checked_file varchar not null,   -- ingest_manifest.source_file (not named source_file: not a raw table)
    sha256       varchar not null,   -- the file's content when its rows were checked
    loaded_at    timestamptz not null, -- and its load (ingest_manifest.loaded_at): a file loaded again is read again
    suite        varchar not null,   -- a fingerprint of the table's checks then: changed checks check every row
    checked_at   timestamptz not null
);
