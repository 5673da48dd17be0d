-- Working intervals of the business calendar with the working minutes before each one, so that
-- "N working hours after t" is two ASOF joins (int_working_positions, the one place): the position of
-- t on the working-minute axis, then the interval where position + N*60 falls.
with business_days as (
    select * from business_days
),

intervals as (
    select
        day,
        work_start_at,
        work_end_at,
        epoch(work_end_at - work_start_at) / 60.0 as working_minutes
    from business_days
    where is_working_day and work_start_at is not null and work_end_at > work_start_at
),

final as (
    select
        *,
        coalesce(
            sum(working_minutes) over (order by work_start_at rows between unbounded preceding and 1 preceding),
            0
        ) as minutes_before
    from intervals
)

select * from final
