create table if not exists raw_crm_contacts (
    contact_id   varchar not null,
    account_id   varchar,
    email        varchar,   -- lower-cased
    name         varchar,
    owner_id     varchar,
    is_deleted   boolean,
    source_file  varchar not null,
    record       varchar not null
);
