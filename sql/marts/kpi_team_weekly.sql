-- Per standard, team and ISO week: the counts of the team's AEs added up and the rate of the sums
-- (macro kpi_rate). team is null for AEs missing from the staff directory: still counted.
with weekly as (
    select * from kpi_weekly
),

final as (
    select
        standard,
        team,
        iso_year,
        iso_week,
        week_start,
        cast(sum(met) as bigint) as met,
        cast(sum(late) as bigint) as late,
        cast(sum(missed) as bigint) as missed,
        cast(sum(open) as bigint) as open,
        cast(sum(excused) as bigint) as excused,
        cast(sum(met + late + missed) as bigint) as evaluated,
        cast(sum(confirmed) as bigint) as confirmed,
        kpi_rate(sum(met), sum(late), sum(missed)) as rate
    from weekly
    group by standard, team, iso_year, iso_week, week_start
    order by week_start, standard, team
)

select * from final
