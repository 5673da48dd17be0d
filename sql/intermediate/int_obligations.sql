-- Every standard's obligations in one shape, with the as_of rule applied once more as a guard:
-- nothing opened after as_of exists, and no evidence dated after it fulfils. Each standard gives its
-- evidence as evidence_items (structs: macro evidence_item) and optional evidence_head/_tail words;
-- the evidence text is rendered here, once, by the macro evidence_sentence.
with unioned as (
    -- every standard's model of the registry, by column name (the build sets standard_models from
    -- the `standard:` blocks: aemetrics/standards.py); a column a standard lacks (is_confirmed) is null
    select * from query_table(getvariable('standard_models'), true)
),

params as (
    select * from run_params
),

final as (
    select
        md5(unioned.standard || '|' || unioned.opening_key) as obligation_id,
        unioned.standard,
        unioned.opening_key,
        lower(unioned.ae) as ae,
        unioned.client_account,
        unioned.opened_at,
        unioned.due_at,
        case when unioned.fulfilled_at <= params.as_of then unioned.fulfilled_at end as fulfilled_at,
        unioned.is_excused,
        -- standards without "late" (STANDARDS.md: market_info) say when evidence after due_at still meets
        coalesce(unioned.late_counts_as_met, false) as late_counts_as_met,
        unioned.is_confirmed,  -- friday_client_report: a call followed the report the same day
        -- the one rendering of evidence text (macro evidence_sentence) from the standard's items
        evidence_sentence(unioned.evidence_head, unioned.evidence_items, unioned.evidence_tail) as evidence,
        unioned.evidence_items,
        unioned.subject
    from unioned
    cross join params
    where unioned.opened_at <= params.as_of
)

select * from final
