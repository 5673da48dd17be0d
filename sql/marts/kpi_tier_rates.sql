-- Equal treatment (不论客户大小,一视同仁): per standard (and '*', every standard pooled) and client
-- size tier, over the 12 weeks ending with the week under review (macro review_week_start): the
-- client obligations evaluated, the rate (macro kpi_rate) and its Wilson score interval at
-- 1 - equal_treatment_alpha (z from run_params). is_compared: a named tier (not 'unknown') with at
-- least equal_treatment_min_n evaluated obligations; only those enter kpi_tier_gaps.
with params as (
    select
        review_week_start(as_of, business_timezone) as this_week,
        equal_treatment_min_n,
        equal_treatment_z
    from run_params
),

details as (
    select details.standard, details.client_tier, details.status
    from obligation_details as details
    cross join params
    where details.client_tier is not null
        and details.status in ('met', 'late', 'missed')
        and details.week_start between params.this_week - 77 and params.this_week
),

with_pooled as (
    select standard, client_tier, status from details
    union all
    select '*' as standard, client_tier, status from details
),

counted as (
    select
        standard,
        client_tier,
        count(*) filter (where status = 'met') as met,
        count(*) filter (where status = 'late') as late,
        count(*) filter (where status = 'missed') as missed,
        count(*) as evaluated
    from with_pooled
    group by standard, client_tier
),

final as (
    select
        counted.standard,
        counted.client_tier,
        counted.met,
        counted.late,
        counted.missed,
        counted.evaluated,
        kpi_rate(counted.met, counted.late, counted.missed) as rate,
        wilson_low(counted.met, counted.evaluated, params.equal_treatment_z) as rate_low,
        wilson_high(counted.met, counted.evaluated, params.equal_treatment_z) as rate_high,
        counted.client_tier <> 'unknown' and counted.evaluated >= params.equal_treatment_min_n as is_compared
    from counted
    cross join params
    order by counted.standard, counted.client_tier
)

select * from final
