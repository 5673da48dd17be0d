-- One row per AE and standard (standard '*': every standard pooled) for the week under review (the
-- latest ISO week that ended by as_of, macro review_week_start) and the 12 weeks ending with it:
-- the AE's counts and rates (macro kpi_rate), the median of their team's AEs' own rates (AEs with
-- nothing evaluated left out, the AE included; an AE without a team is their own team) and the
-- open obligations. Every AE of `aes`, of kpi_weekly and of at_risk has at least the '*' row.
-- AEs who left (aes.has_left) are not in the median of the team they were in; has_left is carried
-- so the league table can leave them unranked.
with params as (
    select review_week_start(as_of, business_timezone) as this_week from run_params
),

weekly as (
    select * from kpi_weekly
),

risk_rows as (
    select * from at_risk
),

people as (
    select ae, name, team, coalesce(has_left, false) as has_left from aes
),

everyone as (
    select ae from people
    union
    select ae from weekly where ae is not null
    union
    select ae from risk_rows where ae is not null
),

members as (
    select everyone.ae, coalesce(people.name, everyone.ae) as name, people.team,
        coalesce(people.has_left, false) as has_left
    from everyone
    left join people on people.ae = everyone.ae
),

window_rows as (
    select weekly.ae, weekly.standard, weekly.week_start = params.this_week as is_this_week,
        weekly.met, weekly.late, weekly.missed
    from weekly
    cross join params
    where weekly.week_start between params.this_week - 77 and params.this_week
),

with_pooled as (
    select * from window_rows
    union all
    select ae, '*' as standard, is_this_week, met, late, missed from window_rows
),

counted as (
    select
        ae,
        standard,
        cast(coalesce(sum(met) filter (where is_this_week), 0) as bigint) as met,
        cast(coalesce(sum(late) filter (where is_this_week), 0) as bigint) as late,
        cast(coalesce(sum(missed) filter (where is_this_week), 0) as bigint) as missed,
        cast(sum(met) as bigint) as met_12w,
        cast(sum(late) as bigint) as late_12w,
        cast(sum(missed) as bigint) as missed_12w
    from with_pooled
    group by ae, standard
),

risk as (
    select ae, standard, count(*) as at_risk from risk_rows group by ae, standard
    union all
    select ae, '*', count(*) from risk_rows group by ae
),

pairs as (
    select ae, standard from counted
    union
    select ae, standard from risk
    union
    select ae, '*' from everyone
),

scored as (
    select
        pairs.ae,
        pairs.standard,
        coalesce(counted.met, 0) as met,
        coalesce(counted.late, 0) as late,
        coalesce(counted.missed, 0) as missed,
        coalesce(counted.met + counted.late + counted.missed, 0) as evaluated,
        kpi_rate(counted.met, counted.late, counted.missed) as rate,
        coalesce(counted.met_12w, 0) as met_12w,
        coalesce(counted.late_12w, 0) as late_12w,
        coalesce(counted.missed_12w, 0) as missed_12w,
        coalesce(counted.met_12w + counted.late_12w + counted.missed_12w, 0) as evaluated_12w,
        kpi_rate(counted.met_12w, counted.late_12w, counted.missed_12w) as rate_12w,
        coalesce(risk.at_risk, 0) as at_risk
    from pairs
    left join counted on counted.ae = pairs.ae and counted.standard = pairs.standard
    left join risk on risk.ae = pairs.ae and risk.standard = pairs.standard
),

team_medians as (
    select
        me.ae,
        mate_scores.standard,
        median(mate_scores.rate) as team_median,
        median(mate_scores.rate_12w) as team_median_12w
    from members as me
    -- a leaver's rates are not in their former team's median (their own row keeps itself)
    inner join members as mate on (mate.team = me.team and not mate.has_left) or mate.ae = me.ae
    inner join scored as mate_scores on mate_scores.ae = mate.ae
    group by me.ae, mate_scores.standard
),

final as (
    select
        scored.ae,
        members.name,
        members.team,
        params.this_week as week_start,
        scored.standard,
        scored.met,
        scored.late,
        scored.missed,
        scored.evaluated,
        scored.rate,
        team_medians.team_median,
        scored.met_12w,
        scored.late_12w,
        scored.missed_12w,
        scored.evaluated_12w,
        scored.rate_12w,
        team_medians.team_median_12w,
        scored.at_risk,
        members.has_left
    from scored
    cross join params
    inner join members on members.ae = scored.ae
    left join team_medians on team_medians.ae = scored.ae and team_medians.standard = scored.standard
    order by scored.ae, scored.standard
)

select * from final
