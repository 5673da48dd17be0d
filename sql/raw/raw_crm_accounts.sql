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
-- Client-file fields (client_file_complete): a short name (Short_Name__c / canonical short_name)
-- names the account in meeting titles; address = Billing street, city, state, postcode, country.
alter table raw_crm_accounts add column if not exists short_name varchar;
alter table raw_crm_accounts add column if not exists address varchar;
alter table raw_crm_accounts add column if not exists fax varchar;
