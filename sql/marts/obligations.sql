-- One row per obligation, the columns of STANDARDS.md (and the Friday report's is_confirmed). Status: met (fulfilled by due_at,
-- inclusive), late (fulfilled after due_at), missed (unfulfilled and due_at < as_of), open
-- (unfulfilled, due_at >= as_of), excused (a documented rule, docs/decisions.md).
-- An obligation nobody is accountable for (no staff organiser, account owner or staff attendee)
-- stays in int_obligations with ae null and is not measured here.
with obligations as (
    select * from int_obligations where ae is not null
),

params as (
    select * from run_params
),

final as (
    select
        obligations.obligation_id,
        obligations.standard,
        obligations.ae,
        obligations.client_account,
        obligations.opened_at,
        obligations.due_at,
        obligations.fulfilled_at,
        case
            when obligations.is_excused then 'excused'
            when obligations.fulfilled_at <= obligations.due_at then 'met'
            when obligations.fulfilled_at is not null and obligations.late_counts_as_met then 'met'
            when obligations.fulfilled_at > obligations.due_at then 'late'
            when obligations.due_at < params.as_of then 'missed'
            else 'open'
        end as status,
        obligations.evidence,
        obligations.is_confirmed,  -- friday_client_report: a call to the client followed the report that day
        obligations.evidence_items
    from obligations
    cross join params
)

select * from final
