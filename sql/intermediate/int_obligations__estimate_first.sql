-- estimate_first (发出工作前先估算成本: estimate cost before issuing work). STANDARDS.md, "Decisions
-- for the other twelve": each work order (of a client or prospect account) opens one obligation at
-- its creation, due at that same instant (the estimate must come first). A quote (Salesforce Quote,
-- status not Rejected/Denied; canonical Estimate) serves one work order of the same account: the
-- earliest work order created at or after the quote that has no estimate yet (met); a quote created
-- after every such work order serves the earliest work order still without an estimate (late). None
-- by as_of: missed. A canonical Estimate whose what_id names a work order serves that one (the first
-- such estimate); estimates naming none are matched by account, in creation order, over the work
-- orders no estimate names (greedy_matches, sql/macros.sql, as in int_meeting_mail_matched). AE: the account's
-- owner. Window: due on or after the start of the first evaluated week (int_weeks); nothing logged
-- (CreatedDate) after as_of is seen.
with work_orders_all as (
    select * from stg_crm__work_orders
),

quotes_all as (
    select * from stg_crm__quotes
),

accounts as (
    select * from int_accounts where not is_deleted and not is_non_client
),

weeks as (
    select min(week_start_at) as window_start_at from int_weeks
),

params as (
    select * from run_params
),

work_orders as (
    select work_orders_all.*
    from work_orders_all
    cross join params
    inner join accounts on accounts.account_key = work_orders_all.account_key
    where work_orders_all.created_at is not null
        and work_orders_all.created_at <= params.as_of
        and work_orders_all.logged_at <= params.as_of
),

quotes as (
    select quotes_all.*
    from quotes_all
    cross join params
    where not quotes_all.is_rejected
        and quotes_all.created_at is not null
        and quotes_all.created_at <= params.as_of
        and quotes_all.logged_at <= params.as_of
),

linked as (
    -- the first estimate that names the work order (canonical what_id)
    select work_orders.work_order_key, quotes.quote_key
    from work_orders
    inner join quotes on quotes.work_order_key = work_orders.work_order_key
    qualify row_number() over (
        partition by work_orders.work_order_key order by quotes.created_at, quotes.quote_key
    ) = 1
),

queue as (
    -- each quote naming no work order with the work orders it may serve, in the order of the rule:
    -- created at or after it first (earliest first), then the earlier ones (earliest first)
    select
        quotes.account_key,
        quotes.quote_key,
        quotes.created_at,
        coalesce(
            (
                select list(
                    work_orders.work_order_key
                    order by work_orders.created_at < quotes.created_at, work_orders.created_at, work_orders.work_order_key
                )
                from work_orders
                where work_orders.account_key = quotes.account_key
                    and work_orders.work_order_key not in (select work_order_key from linked)
            ),
            []
        ) as work_order_keys
    from quotes
    where quotes.work_order_key is null and quotes.account_key is not null
),

served as (
    -- per account, the quotes in creation order each take the first work order of their list that no
    -- earlier quote took (greedy_matches, sql/macros.sql)
    select
        account_key,
        unnest(
            greedy_matches(list({'evidence_key': quote_key, 'candidate_keys': work_order_keys} order by created_at, quote_key)),
            recursive := true
        )
    from queue
    group by account_key
),

matched as (
    select work_order_key, quote_key, true as is_linked from linked
    union all
    select candidate_key, evidence_key, false from served where candidate_key is not null
),

final as (
    select
        'estimate_first' as standard,
        work_orders.work_order_key as opening_key,
        accounts.owner_email as ae,
        accounts.account_id as client_account,
        work_orders.created_at as opened_at,
        work_orders.created_at as due_at,
        quotes.created_at as fulfilled_at,
        false as is_excused,
        list_concat(
            [evidence_item(work_orders.evidence_kind, 'opened_by', work_orders.source_file, work_orders.record,
                work_orders.work_order_id, 'work order', null)],
            case
                when quotes.quote_key is not null then [
                    evidence_item(quotes.evidence_kind, 'fulfilled_by', quotes.source_file, quotes.record,
                        quotes.quote_id, 'estimate',
                        coalesce(' (' || quotes.status || ')', '')
                            || case when matched.is_linked then ' names the work order' else ' of the same account' end)
                ]
                else []
            end
        ) as evidence_items,
        case when quotes.quote_key is null then 'no cost estimate for the work order or its account' end
            as evidence_tail,
        coalesce(work_orders.subject, work_orders.work_order_number, work_orders.work_order_id) as subject
    from work_orders
    cross join weeks
    inner join accounts on accounts.account_key = work_orders.account_key
    left join matched on matched.work_order_key = work_orders.work_order_key
    left join quotes on quotes.quote_key = matched.quote_key
    where work_orders.created_at >= weeks.window_start_at
)

select * from final
