create table if not exists raw_crm_users (
    user_id     varchar not null,  -- Salesforce Id (18-char when given so; 15-char kept as written)
    email       varchar,           -- lower-cased
    name        varchar,
    manager_id  varchar,
    is_active   boolean,
    source_file varchar not null,
    record      varchar not null   -- 'line N'
);
