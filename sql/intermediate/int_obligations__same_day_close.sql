-- same_day_close (今日事今日毕: finish today's work today). STANDARDS.md, "Decisions for the other
-- twelve": each client request (the requests of work_order: stg_crm__cases of a client or prospect
-- account, Origin not internal) and each work order (of a client or prospect account) opens one
-- obligation at its creation, due at 24:00 of the working day it opened; one opened on a non-working
-- day (weekend, holiday) is due at 24:00 of the next working day (business_days: make-up working
-- Saturdays/Sundays are working days). Fulfilled when it was closed: Case ClosedDate; a WorkOrder's
-- EndDate, else its LastModifiedDate when Status is Completed or Closed (approximate:
-- stg_crm__work_orders); canonical closed_at. After the deadline: late; not closed: missed once due.
-- AE: the account's owner. Window: due on or after the start of the first evaluated week.
with requests as (
    select * from stg_crm__cases where not is_internal
),

work_orders as (
    select * from stg_crm__work_orders
),

accounts as (
    select * from int_accounts where not is_deleted and not is_non_client
),

business_days as (
    select * from business_days
),

weeks as (
    select min(week_start_at) as window_start_at from int_weeks
),

params as (
    select * from run_params
),

jobs as (
    select
        'request|' || request_key as opening_key,
        'request' as job_kind,
        request_id as job_id,
        account_key,
        opened_at,
        logged_at,
        closed_at,
        'ClosedDate' as closed_by_field,
        coalesce(subject, request_number, request_id) as subject,
        evidence_kind,
        source_file,
        record
    from requests
    union all
    select
        'work_order|' || work_order_key,
        'work order',
        work_order_id,
        account_key,
        created_at,
        logged_at,
        closed_at,
        closed_by_field,
        coalesce(subject, work_order_number, work_order_id),
        evidence_kind,
        source_file,
        record
    from work_orders
),

visible as (
    select jobs.*, cast(timezone(params.business_timezone, jobs.opened_at) as date) as opened_day
    from jobs
    cross join params
    where jobs.opened_at is not null and jobs.opened_at <= params.as_of and jobs.logged_at <= params.as_of
),

due as (
    -- the first working day on or after the day it opened, to its 24:00
    select
        visible.*,
        business_days.day as due_day,
        business_days.day_end_at as due_at
    from visible
    asof inner join (select * from business_days where is_working_day) as business_days
        on business_days.day >= visible.opened_day
),

final as (
    select
        'same_day_close' as standard,
        due.opening_key,
        accounts.owner_email as ae,
        accounts.account_id as client_account,
        due.opened_at,
        due.due_at,
        due.closed_at as fulfilled_at,
        false as is_excused,
        'opened ' || local_minute(due.opened_at, params.business_timezone)
            || case
                when due.due_day = due.opened_day then ', due end of that working day'
                else ', a non-working day: due end of the next working day ' || cast(due.due_day as varchar)
            end as evidence_head,
        list_concat(
            [evidence_item(due.evidence_kind, 'opened_by', due.source_file, due.record, due.job_id, due.job_kind, null)],
            case
                when due.closed_at <= params.as_of then [
                    evidence_item(due.evidence_kind, 'fulfilled_by', due.source_file, due.record, due.job_id,
                        'closed: ' || due.job_kind,
                        ' at ' || local_minute(due.closed_at, params.business_timezone) || ' (' || due.closed_by_field || ')')
                ]
                else []
            end
        ) as evidence_items,
        case when due.closed_at is null then 'not closed' end as evidence_tail,
        due.subject
    from due
    cross join weeks
    cross join params
    inner join accounts on accounts.account_key = due.account_key
    where due.due_at >= weeks.window_start_at
)

select * from final
