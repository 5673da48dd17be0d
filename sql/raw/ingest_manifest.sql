-- One row per export file seen: its content hash makes re-runs idempotent.
create table if not exists ingest_manifest (
    source_file      varchar primary key,   -- path relative to the exports folder, '/' separated
    sha256           varchar not null,
    size_bytes       bigint not null,
    source_kind      varchar not null,      -- staff | email | calendar | crm | attendance | archive | unknown
    parser           varchar,               -- e.g. mbox, eml, msg, ics, salesforce:Account, zoom
    rows_loaded      bigint not null,
    rows_quarantined bigint not null,
    loaded_at        timestamptz not null
);
