-- Row counts per table per run, for the "drop of more than 15 %" check.
create table if not exists validation_row_counts (
    run_id       varchar not null,
    checked_at   timestamptz not null,
    table_name   varchar not null,
    row_count    bigint not null
);
