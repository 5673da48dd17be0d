create table if not exists raw_crm_accounts (
    account_id      varchar not null,
    name            varchar,
    account_type    varchar,   -- Salesforce Type, e.g. 'Customer - Direct', 'Prospect'
    owner_id        varchar,
    website         varchar,
    industry        varchar,
    annual_revenue  double,
    employees       bigint,
    phone           varchar,
    is_deleted      boolean,
    created_at      timestamptz,
    fields_json     varchar,   -- every column of the export, as JSON (client-file completeness)
    source_file     varchar not null,
    record          varchar not null
);
