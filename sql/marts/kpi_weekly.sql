-- Per standard, AE and ISO week (of opened_at): counts by status and the rate
-- met / (met + late + missed), null when nothing was decided yet (macro kpi_rate, the one formula).
with details as (
    select * from obligation_details
),

counted as (
    select
        standard,
        ae,
        any_value(team) as team,
        iso_year,
        iso_week,
        week_start,
        count(*) filter (where status = 'met') as met,
        count(*) filter (where status = 'late') as late,
        count(*) filter (where status = 'missed') as missed,
        count(*) filter (where status = 'open') as open,
        count(*) filter (where status = 'excused') as excused,
        count(*) filter (where is_confirmed) as confirmed  -- friday_client_report confirmed by phone
    from details
    group by standard, ae, iso_year, iso_week, week_start
),

final as (
    select
        *,
        kpi_rate(met, late, missed) as rate
    from counted
)

select * from final
