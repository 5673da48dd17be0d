-- monday_call (每周一主动打电话给所负责的客户): each (AE, active client account) pair, each
-- evaluated week. Opened at the start (00:00) of the week's first working day, due at its end
-- (24:00): when Monday is a holiday the call is due on the first working day. Fulfilled by the
-- first outbound call logged to that account inside the week (by the AE or a colleague); after
-- the deadline but inside the week it is late; evidence outside the week never counts.
-- An account created after the week's first working day ended owes no call that week
-- (int_account_weeks.owes_monday_call).
with pairs as (
    -- (AE, active client account, week) in the weeks that have a first working day
    select * from int_account_weeks where first_working_day is not null and owes_monday_call
),

calls as (
    select * from int_crm_activities_resolved where is_visible and is_outbound_call and account_key is not null
),

params as (
    select * from run_params
),

first_calls as (
    select
        pairs.ae,
        pairs.account_key,
        pairs.week_start,
        min(calls.activity_at) as called_at,
        arg_min(
            evidence_item('crm', 'fulfilled_by', calls.source_file, calls.record, calls.activity_id,
                'call by ' || coalesce(calls.owner_email, 'unknown') || ': activity', null),
            calls.activity_at
        ) as call_item
    from pairs
    inner join calls
        on calls.account_key = pairs.account_key
        and calls.activity_at >= pairs.week_start_at
        and calls.activity_at < pairs.week_end_at
    group by pairs.ae, pairs.account_key, pairs.week_start
),

final as (
    select
        'monday_call' as standard,
        pairs.ae || '|' || pairs.account_key || '|' || cast(pairs.week_start as varchar) as opening_key,
        pairs.ae,
        pairs.account_id as client_account,
        pairs.first_working_day_start_at as opened_at,
        pairs.first_working_day_end_at as due_at,
        first_calls.called_at as fulfilled_at,
        false as is_excused,
        week_label(pairs.iso_year, pairs.iso_week)
            || ', first working day ' || cast(pairs.first_working_day as varchar) as evidence_head,
        list_concat(
            [evidence_item('crm_account', 'opened_by', pairs.account_source_file, pairs.account_record, pairs.account_id,
                'client account', null)],
            evidence_items_if(first_calls.call_item)
        ) as evidence_items,
        case when first_calls.call_item is null then 'no outbound call logged to the account in the week' end
            as evidence_tail,
        pairs.account_name as subject
    from pairs
    cross join params
    left join first_calls
        on first_calls.ae = pairs.ae
        and first_calls.account_key = pairs.account_key
        and first_calls.week_start = pairs.week_start
)

select * from final
