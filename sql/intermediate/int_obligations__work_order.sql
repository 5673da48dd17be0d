-- work_order (客户发动之每项工作,立即开出工作单: open a work order at once for every job the client
-- starts). STANDARDS.md, "Decisions for the other twelve": requests are Case rows (canonical Request)
-- of a client or prospect account whose Origin is not internal; each opens one obligation at its
-- creation, due work_order_hours (default 4) working hours later (int_working_positions over the working
-- intervals of the business calendar, make-up days included, holidays excluded). A work order serves
-- the request named by its CaseId (canonical what_id; the first such work order); a work order
-- without CaseId serves the earliest open request of its account created before it ("open": no work
-- order yet; requests that a work order names by CaseId are never taken by one without), in the
-- order the work orders were created (greedy_matches, sql/macros.sql, as in int_meeting_mail_matched). After the
-- deadline: late; none by as_of: missed. AE: the account's owner. Window: due on or after the start
-- of the first evaluated week (int_weeks); nothing logged (CreatedDate) after as_of is seen.
with requests_all as (
    select * from stg_crm__cases
),

work_orders_all as (
    select * from stg_crm__work_orders
),

accounts as (
    select * from int_accounts where not is_deleted and not is_non_client
),

positions as (
    select * from int_working_positions
),

weeks as (
    select min(week_start_at) as window_start_at from int_weeks
),

params as (
    select * from run_params
),

requests as (
    select requests_all.*
    from requests_all
    cross join params
    inner join accounts on accounts.account_key = requests_all.account_key
    where not requests_all.is_internal
        and requests_all.opened_at is not null
        and requests_all.opened_at <= params.as_of
        and requests_all.logged_at <= params.as_of
),

work_orders as (
    select work_orders_all.*
    from work_orders_all
    cross join params
    where work_orders_all.created_at is not null
        and work_orders_all.created_at <= params.as_of
        and work_orders_all.logged_at <= params.as_of
),

linked as (
    -- the first work order that names the request
    select
        requests.request_key,
        work_orders.work_order_key,
        work_orders.created_at
    from requests
    inner join work_orders on work_orders.request_key = requests.request_key
    qualify row_number() over (
        partition by requests.request_key order by work_orders.created_at, work_orders.work_order_key
    ) = 1
),

queue as (
    -- each work order without CaseId with the requests it may take (of its account, created before
    -- it, no work order naming them), earliest first
    select
        work_orders.account_key,
        work_orders.work_order_key,
        work_orders.created_at,
        coalesce(
            (
                select list(requests.request_key order by requests.opened_at, requests.request_key)
                from requests
                where requests.account_key = work_orders.account_key
                    and requests.opened_at < work_orders.created_at
                    and requests.request_key not in (select request_key from linked)
            ),
            []
        ) as request_keys
    from work_orders
    where work_orders.request_key is null and work_orders.account_key is not null
),

served as (
    -- per account, the work orders in creation order each take the first request of their list that
    -- no earlier one took (greedy_matches, sql/macros.sql)
    select
        account_key,
        unnest(
            greedy_matches(
                list({'evidence_key': work_order_key, 'candidate_keys': request_keys} order by created_at, work_order_key)
            ),
            recursive := true
        )
    from queue
    group by account_key
),

matched as (
    select request_key, work_order_key, true as is_linked from linked
    union all
    select candidate_key, evidence_key, false from served where candidate_key is not null
),

due as (
    -- work_order_hours working hours after the request (int_working_positions)
    select
        requests.*,
        positions.due_at
    from requests
    cross join params
    left join positions
        on positions.instant is not distinct from requests.opened_at
        and positions.working_hours = params.work_order_hours
),

final as (
    select
        'work_order' as standard,
        due.request_key as opening_key,
        accounts.owner_email as ae,
        accounts.account_id as client_account,
        due.opened_at,
        due.due_at,
        work_orders.created_at as fulfilled_at,
        false as is_excused,
        list_concat(
            [evidence_item(due.evidence_kind, 'opened_by', due.source_file, due.record, due.request_id,
                'request', coalesce(' (Origin ' || due.origin || ')', ''))],
            case
                when work_orders.work_order_key is not null then [
                    evidence_item(work_orders.evidence_kind, 'fulfilled_by', work_orders.source_file, work_orders.record,
                        work_orders.work_order_id, 'work order',
                        case when matched.is_linked then ' (names the request)' else ' (same account, no request named)' end)
                ]
                else []
            end
        ) as evidence_items,
        case when work_orders.work_order_key is null then 'no work order for the request' end as evidence_tail,
        coalesce(due.subject, due.request_number, due.request_id) as subject
    from due
    cross join weeks
    inner join accounts on accounts.account_key = due.account_key
    left join matched on matched.request_key = due.request_key
    left join work_orders on work_orders.work_order_key = matched.work_order_key
    where due.due_at >= weeks.window_start_at
)

select * from final
