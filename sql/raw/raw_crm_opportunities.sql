-- Salesforce Opportunity rows: projects (post_project_review: IsWon + CloseDate; client file: projects).
create table if not exists raw_crm_opportunities (
    opportunity_id   varchar not null,
    name             varchar,
    account_id       varchar,
    stage            varchar,       -- StageName
    is_won           boolean,
    is_closed        boolean,
    close_date       date,          -- CloseDate (date only)
    amount           double,
    owner_id         varchar,
    created_at       timestamptz,
    is_deleted       boolean,
    last_modified_at timestamptz,
    fields_json      varchar,
    source_file      varchar not null,
    record           varchar not null
);
