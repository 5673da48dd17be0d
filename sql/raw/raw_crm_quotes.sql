-- Salesforce Quote rows: cost estimates (estimate_first).
create table if not exists raw_crm_quotes (
    quote_id         varchar not null,
    quote_number     varchar,
    name             varchar,
    opportunity_id   varchar,
    account_id       varchar,
    status           varchar,       -- Draft, Approved, Rejected, Denied, ...
    owner_id         varchar,
    created_at       timestamptz,
    is_deleted       boolean,
    last_modified_at timestamptz,
    fields_json      varchar,
    source_file      varchar not null,
    record           varchar not null
);
