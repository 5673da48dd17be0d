-- minutes_confirmed (会议管理基本动作: 发出后以电话向对方确认): after sending the minutes, confirm by
-- phone. Opened by each minutes e-mail sent to a client (int_email_evidence is_minutes_evidence with
-- a client recipient), at its sending; due at 24:00 of the minutes_confirm_working_days-th (default
-- 1st) working day after the local day of the send (business_days: holidays and 调休 make-up days
-- count as the calendar says).
-- Fulfilled (STANDARDS.md "Decisions for the other twelve") by a call logged in the CRM on the
-- minutes' client account after the send: an outbound call, or an answered inbound call from it;
-- a call whose result says it did not reach anyone (未接, 未接通, 无人接听, missed, no answer,
-- voicemail, busy ...; canonical call_type Missed) does not count. A date-only call (Salesforce
-- ActivityDate) on the local day of the send counts as after it. Calls count up to minutes_match_days
-- after the due (a long holiday does not shorten the reach). One call confirms one minutes e-mail: per account, the calls
-- in order each take the earliest minutes e-mail not yet confirmed (greedy_matches, sql/macros.sql,
-- as in int_meeting_mail_matched).
-- The AE: the served meeting's AE, else the owner of the message's client account, else the sender.
with minutes as (
    select * from int_minutes_mail
),

resolved as (
    select * from int_crm_activities_resolved
),

stg_activities as (
    select * from stg_crm__activities
),

weeks as (
    select * from int_weeks
),

params as (
    select * from run_params
),

working_days as (
    select day, day_end_at, row_number() over (order by day) as working_no
    from business_days
    where is_working_day
),

raw_calls as (
    -- what stg_crm__activities does not carry: the call result and whether only a date was logged
    select
        id_key(activity_id) as activity_key,
        nullif(lower(trim(call_result)), '') as call_result,
        activity_date is not null and start_at is null as is_date_only
    from raw_crm_activities
    qualify row_number() over (partition by id_key(activity_id) order by source_file desc, record_no(record) desc) = 1
),

window_start as (
    select min(week_start_at) as start_at from weeks
),

opened as (
    select
        minutes.message_id,
        minutes.sent_at,
        minutes.from_addr,
        minutes.subject,
        minutes.source_copies,
        minutes.account_key,
        minutes.ae,
        minutes.client_account,
        cast(timezone(params.business_timezone, minutes.sent_at) as date) as sent_day
    from minutes
    cross join params
),

sent_working_no as (
    -- the number of the last working day at or before the send's day
    select opened.message_id, working_days.working_no
    from opened
    asof left join working_days on opened.sent_day >= working_days.day
),

scheduled as (
    select
        opened.*,
        due_day.day_end_at as due_at
    from opened
    cross join params
    left join sent_working_no on sent_working_no.message_id = opened.message_id
    left join working_days as due_day
        on due_day.working_no = coalesce(sent_working_no.working_no, 0) + params.minutes_confirm_working_days
),

calls as (
    select
        resolved.activity_id,
        resolved.activity_key,
        resolved.account_key,
        resolved.activity_at,
        resolved.call_direction,
        coalesce(raw_calls.is_date_only, false) as is_date_only,
        resolved.source_file,
        resolved.record
    from resolved
    inner join stg_activities on stg_activities.activity_key = resolved.activity_key
    left join raw_calls on raw_calls.activity_key = resolved.activity_key
    where resolved.is_visible
        and resolved.account_key is not null
        and stg_activities.is_call
        and stg_activities.is_done
        and coalesce(resolved.call_direction, 'outbound') in ('outbound', 'inbound')
        and not regexp_matches(
            coalesce(raw_calls.call_result, ''),
            '未接|未接通|无人接听|没人接|占线|关机|无法接通|missed|no answer|not reached|unreached|voicemail|busy|no response'
        )
),

candidates as (
    -- the minutes e-mails a call can confirm: same account, sent before it (a date-only call on the
    -- send's local day counts as after), at most minutes_match_days after its due
    select
        calls.account_key,
        calls.activity_key,
        calls.activity_at,
        scheduled.message_id,
        scheduled.sent_at
    from calls
    cross join params
    inner join scheduled on scheduled.account_key = calls.account_key
    where (
            calls.activity_at > scheduled.sent_at
            or (calls.is_date_only and cast(timezone(params.business_timezone, calls.activity_at) as date) = scheduled.sent_day)
        )
        and calls.activity_at <= scheduled.due_at + to_days(cast(params.minutes_match_days as integer))
),

queue as (
    -- each call with the minutes e-mails it can confirm, earliest sent first
    select account_key, activity_key, activity_at, list(message_id order by sent_at, message_id) as message_ids
    from candidates
    group by account_key, activity_key, activity_at
),

served as (
    -- per account, the calls in order each take the first minutes e-mail of their list that no
    -- earlier call took (greedy_matches, sql/macros.sql)
    select
        account_key,
        unnest(
            greedy_matches(list({'evidence_key': activity_key, 'candidate_keys': message_ids} order by activity_at, activity_key)),
            recursive := true
        )
    from queue
    group by account_key
),

confirmations as (
    select served.candidate_key as message_id, calls.*
    from served
    inner join calls on calls.activity_key = served.evidence_key
    where served.candidate_key is not null
),

final as (
    select
        'minutes_confirmed' as standard,
        scheduled.message_id as opening_key,
        scheduled.ae,
        scheduled.client_account,
        scheduled.sent_at as opened_at,
        scheduled.due_at,
        confirmations.activity_at as fulfilled_at,
        false as is_excused,
        list_concat(
            email_evidence_items(scheduled.source_copies, 'opened_by', scheduled.message_id,
                'minutes from ' || scheduled.from_addr, null),
            case when confirmations.activity_key is not null then
                [evidence_item('crm', 'fulfilled_by', confirmations.source_file, confirmations.record,
                    confirmations.activity_id, 'confirmed by ' || coalesce(confirmations.call_direction, 'outbound')
                        || ' call', null)]
            else [] end
        ) as evidence_items,
        case when confirmations.activity_key is null then 'no call to the client logged after the minutes' end
            as evidence_tail,
        scheduled.subject
    from scheduled
    cross join window_start
    left join confirmations on confirmations.message_id = scheduled.message_id
    where scheduled.due_at >= window_start.start_at
)

select * from final
