-- friday_client_report (每周五传发工作进度报告给客户,并以电话向对方确认): each (AE, active client
-- account) pair, each evaluated week. Opened at the week's start (Monday 00:00), due at the end of
-- the week's last working day (a make-up Saturday or Sunday can be it). Fulfilled by the first
-- progress-report e-mail from staff to a client of the account inside the week, or a CRM e-mail
-- activity on the account classified as one and sent by the agency (is_outbound_email: a
-- client's inbound 周报 logged in the CRM fulfils nothing). The phone confirmation is reported,
-- not required: the evidence says 'confirmed by call ...' when an outbound call to the account
-- follows the report on the same local day.
with pairs as (
    -- (AE, active client account, week) in the weeks that have a last working day
    select * from int_account_weeks where last_working_day is not null and owes_friday_report
),

messages as (
    select * from int_email_evidence
    where is_visible and not is_auto_generated and from_kind = 'staff' and is_weekly_report_evidence
),

activities as (
    select * from int_crm_activities_resolved where is_visible and account_key is not null
),

params as (
    select * from run_params
),

reports as (
    select
        unnest(client_account_keys) as account_key,
        sent_at as reported_at,
        email_evidence_items(source_copies, 'fulfilled_by', message_id, 'report from ' || from_addr, null) as report_items
    from messages
    union all
    select
        account_key,
        activity_at,
        [evidence_item('crm', 'fulfilled_by', source_file, record, activity_id, 'report: CRM e-mail activity', null)]
    from activities
    where is_outbound_email and is_weekly_report
),

first_reports as (
    select
        pairs.ae,
        pairs.account_key,
        pairs.week_start,
        min(reports.reported_at) as reported_at,
        arg_min(reports.report_items, reports.reported_at) as report_items
    from pairs
    inner join reports
        on reports.account_key = pairs.account_key
        and reports.reported_at >= pairs.week_start_at
        and reports.reported_at < pairs.week_end_at
    group by pairs.ae, pairs.account_key, pairs.week_start
),

confirmations as (
    select
        first_reports.ae,
        first_reports.account_key,
        first_reports.week_start,
        arg_min(
            evidence_item('crm', 'confirmed_by', activities.source_file, activities.record, activities.activity_id,
                'confirmed by call', null),
            activities.activity_at
        ) as confirmation
    from first_reports
    cross join params
    inner join activities
        on activities.account_key = first_reports.account_key
        and activities.is_outbound_call
        and activities.activity_at >= first_reports.reported_at
        and cast(timezone(params.business_timezone, activities.activity_at) as date)
            = cast(timezone(params.business_timezone, first_reports.reported_at) as date)
    group by first_reports.ae, first_reports.account_key, first_reports.week_start
),

final as (
    select
        'friday_client_report' as standard,
        pairs.ae || '|' || pairs.account_key || '|' || cast(pairs.week_start as varchar) as opening_key,
        pairs.ae,
        pairs.account_id as client_account,
        pairs.week_start_at as opened_at,
        pairs.last_working_day_end_at as due_at,
        first_reports.reported_at as fulfilled_at,
        false as is_excused,
        first_reports.reported_at is not null and confirmations.confirmation is not null as is_confirmed,
        week_label(pairs.iso_year, pairs.iso_week)
            || ', last working day ' || cast(pairs.last_working_day as varchar) as evidence_head,
        list_concat(
            [evidence_item('crm_account', 'opened_by', pairs.account_source_file, pairs.account_record, pairs.account_id,
                'client account', null)],
            coalesce(first_reports.report_items, []),
            evidence_items_if(confirmations.confirmation)
        ) as evidence_items,
        case
            when first_reports.report_items is null then 'no progress report to the client in the week'
            when confirmations.confirmation is null then 'not confirmed by phone the same day'
        end as evidence_tail,
        pairs.account_name as subject
    from pairs
    left join first_reports
        on first_reports.ae = pairs.ae
        and first_reports.account_key = pairs.account_key
        and first_reports.week_start = pairs.week_start
    left join confirmations
        on confirmations.ae = pairs.ae
        and confirmations.account_key = pairs.account_key
        and confirmations.week_start = pairs.week_start
)

select * from final
