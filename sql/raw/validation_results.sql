-- Great Expectations results of the latest run of each stage (ingest, build).
create table if not exists validation_results (
    run_id           varchar not null,
    checked_at       timestamptz not null,
    stage            varchar not null,   -- ingest | build
    table_name       varchar not null,
    expectation      varchar not null,   -- GX expectation type
    column_name      varchar,
    success          boolean not null,
    unexpected_count bigint,
    observed         varchar,            -- observed value or a sample of failing values
    action           varchar not null    -- quarantine | block | warn: what a failure does (docs/quality.md)
);
