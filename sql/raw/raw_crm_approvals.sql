-- Salesforce ProcessInstance rows: approval process runs (minutes_signoff).
create table if not exists raw_crm_approvals (
    approval_id      varchar not null,
    target_object_id varchar,       -- TargetObjectId: the record approved
    status           varchar,       -- Approved, Rejected, Pending, Removed, ...
    submitted_by_id  varchar,       -- SubmittedById, else CreatedById
    last_actor_id    varchar,       -- LastActorId: who approved or rejected
    completed_at     timestamptz,   -- CompletedDate
    created_at       timestamptz,
    is_deleted       boolean,
    last_modified_at timestamptz,
    fields_json      varchar,
    source_file      varchar not null,
    record           varchar not null
);
