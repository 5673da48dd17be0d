-- Salesforce Task, Event and EmailMessage rows (and canonical-layout activities): calls, emails, meetings.
create table if not exists raw_crm_activities (
    activity_id     varchar not null,
    object_type     varchar not null,  -- Task | Event | EmailMessage | canonical
    activity_type   varchar,           -- Call | Email | Meeting | ... (Type / TaskSubtype / EventSubtype)
    call_type       varchar,           -- Inbound | Outbound | Internal (CallType)
    subject         varchar,
    status          varchar,
    who_id          varchar,           -- Contact/Lead id (polymorphic)
    what_id         varchar,           -- Account/Opportunity/... id (polymorphic)
    account_id      varchar,
    owner_id        varchar,
    activity_at     timestamptz,       -- when it happened: StartDateTime; else ActivityDate at CompletedDateTime/CreatedDate on that local day, else at its 24:00; else CompletedDateTime, CreatedDate
    activity_date   date,              -- ActivityDate as written (date only)
    start_at        timestamptz,       -- events
    end_at          timestamptz,
    created_at      timestamptz,
    is_deleted      boolean,
    source_file     varchar not null,
    record          varchar not null
);

-- The sender of a logged e-mail (From:/发件人: header at the top of a Task's Description), the
-- address only; added after the first release, so older warehouses gain the column here.
alter table raw_crm_activities add column if not exists email_from varchar;
-- An EmailMessage's Task (ActivityId): the Task takes the message's direction and sender.
alter table raw_crm_activities add column if not exists linked_activity_id varchar;
-- Call result: Salesforce Task CallDisposition (free text: 未接, No answer, Left voicemail, ...),
-- canonical call_result, HubSpot Call outcome. callback reads it (STANDARDS.md).
alter table raw_crm_activities add column if not exists call_result varchar;
-- When a request / work order was closed (canonical closed_at): same_day_close reads it.
alter table raw_crm_activities add column if not exists closed_at timestamptz;
