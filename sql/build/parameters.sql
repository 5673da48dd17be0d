-- The run's parameters as tables, so that every model reads them with a join (never from SQL
-- text formatted in Python). Written by aemetrics.build before the models run.
create or replace table run_params (
    as_of                      timestamptz not null,  -- nothing dated after it is seen
    built_at                   timestamptz not null,
    business_timezone          varchar not null,
    work_start                 time not null,
    work_end                   time not null,
    reply_hours                double not null,
    reply_business_hours       boolean not null,      -- reply_12h deadline in working hours
    agenda_hours               double not null,
    internal_notice_hours      double not null,
    minutes_hours              double not null,
    on_time_grace_minutes      double not null,
    subject_thread_window_days integer not null,
    minutes_match_days         integer not null,  -- minutes serve a meeting ended at most this many days before
    reschedule_notice_hours    double not null,   -- reschedule_notice: notice at least this long before the original start
    minutes_confirm_working_days integer not null, -- minutes_confirmed: due 24:00 of this working day after the send
    project_review_working_days integer not null,  -- post_project_review: due 24:00 of this working day after completion
    equal_treatment_gap        double not null,   -- flag a gap between client tiers above this (rate points) ...
    equal_treatment_min_n      integer not null,  -- ... between tiers with at least this many evaluated ...
    equal_treatment_alpha      double not null,   -- ... when significant at this level (two-proportion z-test)
    equal_treatment_z          double not null,   -- the two-sided critical z of alpha (Python: NormalDist), also Wilson's
    work_order_hours           double not null    -- work_order: working hours from a request to its work order
);
-- The thresholds of client_file_complete, festival_greeting and work_on_time (docs/configuration.md).
alter table run_params add column client_file_days integer default 30;
alter table run_params add column festival_greeting_days integer default 7;
alter table run_params add column work_on_time_grace_minutes double default 0;

create or replace table classification_keywords (
    kind    varchar not null,   -- agenda | minutes | weekly_report | supervisor_report | out_of_office | ...
    keyword varchar not null
);

create or replace table customer_type_prefixes (
    prefix varchar not null     -- an account whose Type begins with it is a customer
);

create or replace table identity_lists (
    kind    varchar not null,   -- non_client_account_type | public_mail_domain | social_domain | agency_domain | ae_role | missed_call_result | internal_request_origin | festival
    value   varchar not null,   -- lower-cased, white space collapsed (docs/configuration.md)
    ordinal integer not null    -- position in its setting's list (messages name them in that order)
);

-- client_file_complete: each required field of the client file and the CRM columns that may hold
-- it (setting client_file_fields; alternatives in order, the first filled one counts), read from
-- raw_crm_accounts.fields_json.
create or replace table client_file_fields (
    field        varchar not null,   -- name, brand, product, address, phone, fax, ad_volume, budget, ...
    column_name  varchar not null,   -- as written in the export: Brand__c, BillingCity, brand, ...
    ordinal      integer not null    -- 0 = first alternative
);

-- The registry of standards (aemetrics/standards.py: the `standard:` blocks of
-- sql/intermediate/int_obligations__<id>.yml), in registry order. The site and the notebooks read
-- labels, sections and the exports each standard needs from here. The standards' thresholds are
-- run_params columns added by write_parameters (one per setting, named as the setting).
create or replace table standards (
    standard      varchar not null,    -- id (= int_obligations__<id>)
    section       varchar not null,    -- communication | meetings | weekly | account_care | work_habits
    section_zh    varchar not null,    -- 沟通 / 会议 / 日常沟通 / 再次提升 / 工作习惯
    section_en    varchar not null,
    position      integer not null,    -- registry order: handbook section, then order inside it
    label_zh      varchar not null,
    label_en      varchar not null,
    handbook      varchar not null,    -- the handbook's words
    needs         varchar[] not null,  -- exports that feed it: email | calendar | crm | attendance | clock | staff
    evidence      varchar[] not null,  -- evidence kinds it reads
    kpi_target    double not null      -- kpi_targets.<id>, else the entry's kpi_target, else kpi_target
);
