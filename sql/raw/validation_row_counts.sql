-- The latest row count of each checked table, for the "drop of more than 15 %" check of the next run.
create table if not exists validation_row_counts (
    run_id       varchar not null,
    checked_at   timestamptz not null,
    table_name   varchar not null,
    row_count    bigint not null
);
