-- Salesforce WorkOrder rows (work_order, estimate_first, same_day_close).
create table if not exists raw_crm_work_orders (
    work_order_id     varchar not null,
    work_order_number varchar,
    case_id           varchar,       -- CaseId: the request it serves
    account_id        varchar,
    status            varchar,       -- New, In Progress, Completed, Closed, ...
    subject           varchar,
    start_at          timestamptz,   -- StartDate
    end_at            timestamptz,   -- EndDate
    owner_id          varchar,
    created_at        timestamptz,
    is_deleted        boolean,
    last_modified_at  timestamptz,   -- closing time when Status is Completed/Closed and EndDate is empty
    fields_json       varchar,
    source_file       varchar not null,
    record            varchar not null
);
