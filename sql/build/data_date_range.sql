-- The local dates (business time zone $1) spanned by the raw tables' timestamps and by as_of
-- ($2), clamped to ten years before and one year after as_of (a stray 1970 or 2099 date must not
-- make the calendar huge; nothing outside that window can open or fulfil an obligation).
-- The business calendar is written for this range, padded by build.py.
with instants as (
    select min(sent_at) as first_at, max(sent_at) as last_at from raw_email_messages
    union all
    select min(start_at), max(end_at) from raw_calendar_events
    union all
    select min(activity_at), max(activity_at) from raw_crm_activities
    union all
    select min(least(join_at, meeting_start_at)), max(greatest(leave_at, meeting_end_at)) from raw_attendance
    union all
    select min(created_at), max(greatest(created_at, closed_at)) from raw_crm_cases
    union all
    select min(created_at), max(greatest(created_at, end_at)) from raw_crm_work_orders
    union all
    select min(created_at), max(created_at) from raw_crm_quotes
    union all
    select min(clock_at), max(clock_at) from raw_clock_ins
    union all
    select cast($2 as timestamptz), cast($2 as timestamptz)
),

bounds as (
    select
        cast(timezone($1, min(first_at)) as date) as first_day,
        cast(timezone($1, max(last_at)) as date) as last_day,
        cast(timezone($1, cast($2 as timestamptz)) as date) as as_of_day
    from instants
)

select
    greatest(first_day, cast(as_of_day - interval 10 year as date)) as first_day,
    least(last_day, cast(as_of_day + interval 1 year as date)) as last_day
from bounds
