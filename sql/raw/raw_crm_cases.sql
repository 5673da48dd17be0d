-- Salesforce Case rows: client requests (work_order, same_day_close). Every column of the export
-- is also in fields_json.
create table if not exists raw_crm_cases (
    case_id          varchar not null,
    case_number      varchar,
    account_id       varchar,
    contact_id       varchar,
    origin           varchar,       -- Origin: Phone, Email, Web, Internal, ...
    status           varchar,
    case_type        varchar,       -- Type
    subject          varchar,
    is_closed        boolean,
    closed_at        timestamptz,   -- ClosedDate
    owner_id         varchar,
    created_at       timestamptz,
    is_deleted       boolean,
    last_modified_at timestamptz,
    fields_json      varchar,
    source_file      varchar not null,
    record           varchar not null
);
