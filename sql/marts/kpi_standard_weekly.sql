-- Per standard and ISO week, over every AE: the counts of kpi_weekly added up and the rate of the
-- sums (never an average of rates; macro kpi_rate). The site's standards table, cards and trend.
with weekly as (
    select * from kpi_weekly
),

final as (
    select
        standard,
        iso_year,
        iso_week,
        week_start,
        cast(sum(met) as bigint) as met,
        cast(sum(late) as bigint) as late,
        cast(sum(missed) as bigint) as missed,
        cast(sum(open) as bigint) as open,
        cast(sum(excused) as bigint) as excused,
        cast(sum(met + late + missed) as bigint) as evaluated,
        cast(sum(confirmed) as bigint) as confirmed,  -- friday_client_report confirmed by phone the same day
        kpi_rate(sum(met), sum(late), sum(missed)) as rate
    from weekly
    group by standard, iso_year, iso_week, week_start
    order by week_start, standard
)

select * from final
