-- friday_supervisor_report (每周五向主管提交工作进度报告及下周工作计划): each AE, each evaluated
-- week. Opened at the week's start, due at the end of the week's last working day. Fulfilled by
-- the first e-mail from the AE with their supervisor (staff directory) in To and no client among
-- its recipients (To/Cc), whose subject marks it as a weekly report or plan, inside the week: a
-- client report that only copies the supervisor, or that also goes to a client, does not count.
-- An AE with no supervisor on file cannot comply and is excused (the evidence says so), rather
-- than dropped.
with aes as (
    select * from int_aes
),

weeks as (
    select * from int_weeks where last_working_day is not null
),

messages as (
    select * from int_email_evidence
    where is_visible and not is_auto_generated and is_supervisor_report_evidence
),

recipients as (
    select * from stg_email__recipients
),

pairs as (
    select aes.ae, aes.supervisor_email, aes.staff_kind, aes.source_file, aes.record, weeks.*
    from aes
    cross join weeks
),

first_reports as (
    select
        pairs.ae,
        pairs.week_start,
        min(messages.sent_at) as reported_at,
        arg_min(
            email_evidence_items(messages.source_copies, 'fulfilled_by', messages.message_id,
                'report to ' || pairs.supervisor_email, null),
            messages.sent_at
        ) as report_items
    from pairs
    inner join messages
        on messages.from_addr = pairs.ae
        and not messages.has_client_recipient
        and messages.sent_at >= pairs.week_start_at
        and messages.sent_at < pairs.week_end_at
    inner join recipients
        on recipients.message_id = messages.message_id
        and recipients.address = pairs.supervisor_email
        and recipients.recipient_type = 'to'
    group by pairs.ae, pairs.week_start
),

final as (
    select
        'friday_supervisor_report' as standard,
        pairs.ae || '|' || cast(pairs.week_start as varchar) as opening_key,
        pairs.ae,
        cast(null as varchar) as client_account,
        pairs.week_start_at as opened_at,
        pairs.last_working_day_end_at as due_at,
        first_reports.reported_at as fulfilled_at,
        pairs.supervisor_email is null as is_excused,
        week_label(pairs.iso_year, pairs.iso_week)
            || ', last working day ' || cast(pairs.last_working_day as varchar) as evidence_head,
        list_concat(
            evidence_items_if(
                evidence_item(pairs.staff_kind, 'accountable', pairs.source_file, pairs.record, pairs.ae, 'AE', null)
            ),
            coalesce(first_reports.report_items, [])
        ) as evidence_items,
        case
            when pairs.supervisor_email is null then 'excused: no supervisor in the staff directory'
            when first_reports.report_items is null then 'no weekly report to ' || pairs.supervisor_email || ' in the week'
        end as evidence_tail,
        cast(null as varchar) as subject
    from pairs
    left join first_reports
        on first_reports.ae = pairs.ae
        and first_reports.week_start = pairs.week_start
)

select * from final
