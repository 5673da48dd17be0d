-- Equal treatment: per standard (and '*'), the largest gap between the compared tiers of
-- kpi_tier_rates (best rate against worst; ties: the first tier by name), and whether it is
-- flagged: above equal_treatment_gap AND significant, a two-proportion z-test (pooled standard
-- error, macro two_proportion_z) with |z| >= the two-sided critical z of equal_treatment_alpha
-- (run_params.equal_treatment_z, computed in Python: DuckDB has no normal quantile). A 12-point
-- gap over five obligations per tier is noise, not a finding. Standards with fewer than two
-- compared tiers have no row.
with params as (
    select equal_treatment_gap, equal_treatment_alpha, equal_treatment_z from run_params
),

compared as (
    select * from kpi_tier_rates where is_compared
),

ranked as (
    select
        *,
        row_number() over (partition by standard order by rate desc, client_tier) as best_rank,
        row_number() over (partition by standard order by rate, client_tier) as worst_rank,
        count(*) over (partition by standard) as tiers
    from compared
),

best as (
    select * from ranked where best_rank = 1 and tiers >= 2
),

worst as (
    select * from ranked where worst_rank = 1
),

tested as (
    select
        best.standard,
        best.client_tier as best_tier,
        best.rate as best_rate,
        best.met as best_met,
        best.evaluated as best_n,
        worst.client_tier as worst_tier,
        worst.rate as worst_rate,
        worst.met as worst_met,
        worst.evaluated as worst_n,
        best.rate - worst.rate as gap,
        two_proportion_z(best.met, best.evaluated, worst.met, worst.evaluated) as z
    from best
    inner join worst on worst.standard = best.standard
),

final as (
    select
        tested.*,
        params.equal_treatment_z as critical_z,
        params.equal_treatment_alpha as alpha,
        tested.gap > params.equal_treatment_gap + 1e-12 as is_above_threshold,
        coalesce(abs(tested.z) >= params.equal_treatment_z, false) as is_significant,
        tested.gap > params.equal_treatment_gap + 1e-12
            and coalesce(abs(tested.z) >= params.equal_treatment_z, false) as flagged
    from tested
    cross join params
    order by tested.standard
)

select * from final
