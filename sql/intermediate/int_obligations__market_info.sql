-- market_info (定期向你的客户提供市场信息和媒介信息 — "regularly give your clients market and media
-- information"; 再次提升计划): each active client account (a customer account owned by an AE) each
-- calendar month (business time zone) of the evaluated range. Opened at the later of the month's
-- start, the start of the first evaluated week and the account's creation; due 24:00 of the month's
-- last working day (a make-up Saturday such as 28 Feb 2026 can be it). Fulfilled by the first market
-- or media information inside the month (int_account_care_evidence: an e-mail to a contact of the
-- account with 市场信息 / 媒介信息 / market update ..., or a CRM MarketInfo activity): met; none: missed;
-- open while the month runs. No late: evidence on the month's days off after its last working day
-- still meets it (late_counts_as_met; the deadline stays the last working day). An account created
-- after the month's last working day owes nothing that month.
with accounts as (
    select * from int_accounts where is_active_client
),

info as (
    select * from int_account_care_evidence where kind = 'market_info'
),

business_days as (
    select * from business_days
),

weeks as (
    select min(week_start_at) as window_start_at, min(week_start) as window_start from int_weeks
),

params as (
    select * from run_params
),

months as (
    select
        date_trunc('month', business_days.day) as month_start,
        min(business_days.day_start_at) as month_start_at,
        max(business_days.day_end_at) as month_end_at,
        max(business_days.day) filter (where business_days.is_working_day) as last_working_day,
        max(business_days.day_end_at) filter (where business_days.is_working_day) as last_working_day_end_at
    from business_days
    cross join weeks
    cross join params
    where date_trunc('month', business_days.day) >= date_trunc('month', weeks.window_start)
        and date_trunc('month', business_days.day) <= date_trunc('month', timezone(params.business_timezone, params.as_of))
    group by date_trunc('month', business_days.day)
),

owed as (
    select
        accounts.owner_email as ae,
        accounts.account_id,
        accounts.account_key,
        accounts.account_name,
        accounts.source_file as account_source_file,
        accounts.record as account_record,
        months.*,
        greatest(months.month_start_at, weeks.window_start_at, coalesce(accounts.created_at, months.month_start_at))
            as opened_at
    from accounts
    cross join months
    cross join weeks
    where months.last_working_day_end_at >= weeks.window_start_at
        and (accounts.created_at is null or accounts.created_at < months.last_working_day_end_at)
),

first_info as (
    select
        owed.account_key,
        owed.month_start,
        min(info.evidence_at) as informed_at,
        arg_min(info.evidence_items, info.evidence_at) as info_items
    from owed
    inner join info
        on info.account_key = owed.account_key
        and info.evidence_at >= owed.month_start_at
        and info.evidence_at < owed.month_end_at
    group by owed.account_key, owed.month_start
),

final as (
    select
        'market_info' as standard,
        owed.ae || '|' || owed.account_key || '|' || strftime(owed.month_start, '%Y-%m') as opening_key,
        owed.ae,
        owed.account_id as client_account,
        owed.opened_at,
        owed.last_working_day_end_at as due_at,
        first_info.informed_at as fulfilled_at,
        false as is_excused,
        true as late_counts_as_met,  -- no late: evidence inside the month meets it, even after due_at
        'month ' || strftime(owed.month_start, '%Y-%m') || ', last working day ' || cast(owed.last_working_day as varchar)
            as evidence_head,
        list_concat(
            [evidence_item('crm_account', 'opened_by', owed.account_source_file, owed.account_record, owed.account_id,
                'client account', null)],
            coalesce(first_info.info_items, [])
        ) as evidence_items,
        case when first_info.info_items is null then 'no market or media information to the client in the month' end
            as evidence_tail,
        coalesce(owed.account_name, owed.account_id) as subject
    from owed
    left join first_info
        on first_info.account_key = owed.account_key
        and first_info.month_start = owed.month_start
)

select * from final
