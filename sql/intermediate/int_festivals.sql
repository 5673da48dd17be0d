-- The festivals of the business calendar (festival_greeting): the first day of each run of days
-- off named like a configured festival (identity_lists 'festival'; default 元旦, 春节, 劳动节, 端午节,
-- 中秋节, 国庆节: the holidays package's zh_CN names, or the names of the holidays file). 清明 is a day
-- of mourning and substituted days off ('休息日（由 ... 调休）', '…（补假）') are not festivals.
-- With each: the greeting window (00:00 festival_greeting_days before the first day to 24:00 of the
-- first day) and the break, the consecutive days off that hold the first day (e.g. 1-8 Oct 2025),
-- whose end bounds a late greeting. A first day at the very start of the calendar (its previous day
-- unknown) is not taken: the holiday may have begun before.
with business_days as (
    select * from business_days
),

festival_names as (
    select value as name from identity_lists where kind = 'festival' and value <> ''
),

params as (
    select * from run_params
),

named as (
    select
        business_days.*,
        lag(business_days.holiday_name) over (order by business_days.day) as previous_name,
        lag(business_days.day) over (order by business_days.day) as previous_day
    from business_days
),

first_days as (
    select named.*
    from named
    where lower(trim(named.holiday_name)) in (select name from festival_names)
        and named.previous_day = named.day - 1
        and coalesce(named.previous_name, '') <> named.holiday_name
),

breaks as (
    select
        first_days.day,
        (select max(d.day) from business_days as d where d.is_working_day and d.day < first_days.day) as work_before,
        (select min(d.day) from business_days as d where d.is_working_day and d.day > first_days.day) as work_after
    from first_days
),

final as (
    select
        trim(first_days.holiday_name) as festival,
        first_days.day as first_day,
        breaks.work_before + 1 as break_start,
        coalesce(breaks.work_after - 1, first_days.day) as break_end,
        first_days.day - params.festival_greeting_days as window_open_day,
        timezone(params.business_timezone, cast(first_days.day - params.festival_greeting_days as timestamp))
            as window_open_at,
        first_days.day_start_at as first_day_start_at,
        first_days.day_end_at as due_at,
        coalesce(
            timezone(params.business_timezone, cast(breaks.work_after as timestamp)),
            first_days.day_end_at
        ) as break_end_at
    from first_days
    cross join params
    inner join breaks on breaks.day = first_days.day
)

select * from final
