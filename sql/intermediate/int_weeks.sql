-- The ISO weeks evaluated (business time zone): from the first week holding any exported
-- activity (a message sent, a CRM activity, request, work order or estimate, an attendance session or clock-in punch; calendar series are
-- schedules and do not start the range) up to the week of as_of, with each week's first and
-- last working day from the business calendar (make-up Saturdays/Sundays included). A week
-- without a working day has no first/last working day and opens no weekly obligation.
with business_days as (
    select * from business_days
),

params as (
    select * from run_params
),

messages as (
    select * from stg_email__messages
),

activities as (
    select * from stg_crm__activities
),

sessions as (
    select * from stg_attendance__sessions
),

activity as (
    select min(messages.sent_at) as first_at
    from messages cross join params where messages.sent_at <= params.as_of
    union all
    select min(activities.activity_at)
    from activities cross join params where activities.activity_at <= params.as_of and not activities.is_deleted
    union all
    select min(sessions.join_at)
    from sessions cross join params where sessions.join_at <= params.as_of
    union all
    -- client requests, work orders and estimates (Salesforce Case / WorkOrder / Quote) are dated CRM
    -- records like the canonical layout's Request / WorkOrder / Estimate activities above
    select min(jobs.dated_at)
    from (
        select opened_at as dated_at, logged_at from stg_crm__cases
        union all select created_at, logged_at from stg_crm__work_orders
        union all select created_at, logged_at from stg_crm__quotes
    ) as jobs
    cross join params
    where jobs.dated_at <= params.as_of and jobs.logged_at <= params.as_of
    union all
    -- clock-in records are attendance records too (work_on_time)
    select min(punches.clock_at)
    from stg_clock__punches as punches cross join params where punches.clock_at <= params.as_of
),

bounds as (
    select
        cast(timezone(params.business_timezone, min(activity.first_at)) as date) as first_day,
        cast(timezone(params.business_timezone, params.as_of) as date) as last_day
    from activity
    cross join params
    group by params.business_timezone, params.as_of
),

days_in_range as (
    select business_days.*
    from business_days
    cross join bounds
    where business_days.week_start >= date_trunc('week', bounds.first_day)
        and business_days.week_start <= bounds.last_day
),

final as (
    select
        week_start,
        any_value(iso_year) as iso_year,
        any_value(iso_week) as iso_week,
        min(day_start_at) as week_start_at,
        max(day_end_at) as week_end_at,
        count(*) as days_in_calendar,
        arg_min(day, day) filter (where is_working_day) as first_working_day,
        arg_min(day_start_at, day) filter (where is_working_day) as first_working_day_start_at,
        arg_min(day_end_at, day) filter (where is_working_day) as first_working_day_end_at,
        arg_max(day, day) filter (where is_working_day) as last_working_day,
        arg_max(day_end_at, day) filter (where is_working_day) as last_working_day_end_at
    from days_in_range
    group by week_start
)

select * from final
