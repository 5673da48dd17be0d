-- Every standard's obligations in one shape, with the as_of rule applied once more as a guard:
-- nothing opened after as_of exists, and no evidence dated after it fulfils. Each standard gives its
-- evidence as evidence_items (structs: macro evidence_item) and optional evidence_head/_tail words;
-- the evidence text is rendered here, once, by the macro evidence_sentence.
with unioned as (
    select * from int_obligations__reply_12h
    union all by name
    select * from int_obligations__agenda_48h
    union all by name
    select * from int_obligations__internal_notice_24h
    union all by name
    select * from int_obligations__on_time
    union all by name
    select * from int_obligations__minutes_24h
    union all by name
    select * from int_obligations__monday_call
    union all by name
    select * from int_obligations__friday_client_report
    union all by name
    select * from int_obligations__friday_supervisor_report
    union all by name
    select * from int_obligations__client_file_complete
    union all by name
    select * from int_obligations__festival_greeting
    union all by name
    select * from int_obligations__market_info
    union all by name
    select * from int_obligations__work_on_time
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
