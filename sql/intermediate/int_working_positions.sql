-- "N working hours after an instant": the one place this is computed (docs/decisions.md, "Time
-- and as_of"). One row per instant a working-hours clock may start at and its number of hours:
-- the instant's position on the working-minute axis of int_working_intervals (the minutes worked
-- before it: an instant outside working hours sits at the start of the next interval), plus
-- working_hours * 60, then the interval where that position falls gives due_at. A deadline that
-- uses up a working day exactly falls at that day's end of hours. Two ASOF joins, over the union of
-- the instants of the models that need it (each joins back on instant + working_hours):
-- - reply_12h and callback (only with reply_business_hours: else their clock is the wall clock):
--   every visible client message to staff (a reply_12h round opens at one of them) and every
--   missed call (a callback round opens at one of them), reply_hours;
-- - work_order: every client request (Case), work_order_hours.
-- An instant a model needs that is not listed here would have no due_at: the lists are supersets.
with messages as (
    select * from int_email_messages_resolved
),

calls as (
    select * from stg_crm__calls
),

requests as (
    select * from stg_crm__cases
),

intervals as (
    select * from int_working_intervals
),

params as (
    select * from run_params
),

instants as (
    select distinct
        clocks.instant,
        clocks.working_hours
    from (
        select messages.sent_at as instant, params.reply_hours as working_hours
        from messages
        cross join params
        where params.reply_business_hours
            and messages.is_visible and not messages.is_auto_generated
            and messages.from_kind = 'client' and messages.has_staff_recipient
        union all
        select calls.activity_at, params.reply_hours
        from calls
        cross join params
        where params.reply_business_hours and calls.is_missed
        union all
        select requests.opened_at, params.work_order_hours
        from requests
        cross join params
        where not requests.is_internal
    ) as clocks
),

positioned as (
    -- where the instant lies on the working-minute axis, plus the hours
    select
        instants.*,
        coalesce(
            intervals.minutes_before
                + least(intervals.working_minutes, greatest(0, epoch(instants.instant - intervals.work_start_at) / 60.0)),
            0
        ) + instants.working_hours * 60 as target_minutes
    from instants
    asof left join intervals on instants.instant >= intervals.work_start_at
),

final as (
    select
        positioned.instant,
        positioned.working_hours,
        intervals.work_start_at + minutes_interval(positioned.target_minutes - intervals.minutes_before) as due_at
    from positioned
    asof left join intervals on positioned.target_minutes > intervals.minutes_before
)

select * from final
