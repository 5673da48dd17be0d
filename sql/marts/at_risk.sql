-- What to do today: every open obligation with the hours left until its deadline.
with details as (
    select * from obligation_details where status = 'open'
),

params as (
    select * from run_params
),

final as (
    select
        details.obligation_id,
        details.standard,
        details.ae,
        details.client_account,
        details.client_name,
        details.opened_at,
        details.due_at,
        hours_between(params.as_of, details.due_at) as hours_left,
        params.as_of
    from details
    cross join params
    order by details.due_at, details.ae, details.standard
)

select * from final
