-- callback (及时给客户回电话: return client calls promptly). STANDARDS.md, "Decisions for the other
-- twelve": only an unanswered inbound call opens one (stg_crm__calls.is_missed: CallType Inbound with
-- a not-reached disposition, or canonical call_type Missed); answered inbound calls and outbound
-- calls open nothing. Missed calls from one account before a staff call-back collapse into one
-- obligation, opened at the first. Any later outbound call attempt to that account (reached or not)
-- or staff e-mail to one of its contacts fulfils it (also an outbound e-mail logged in the CRM).
-- Prospects count; vendor/partner/media accounts are not clients. Due: opened + reply_hours on the
-- reply_12h clock (wall clock; with reply_business_hours, working hours: int_working_positions).
-- Times of date-only calls (ActivityDate): when such a placed time decides the order, evidence on
-- the same local day counts as after the missed call (fulfilled_at keeps the evidence's own time).
-- AE: the account's owner, whoever logged the call. Window: due on or after the start of the first
-- evaluated week (int_weeks).
with calls as (
    select * from stg_crm__calls
),

resolved as (
    select * from int_crm_activities_resolved where is_visible and account_key is not null
),

accounts as (
    select * from int_accounts where not is_deleted and not is_non_client
),

messages as (
    select * from int_email_messages_resolved
    where is_visible and not is_auto_generated and from_kind = 'staff' and has_client_recipient
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

missed as (
    select
        calls.activity_id,
        calls.activity_key,
        calls.activity_at,
        calls.call_day,
        calls.is_date_only,
        calls.call_result,
        resolved.account_key,
        calls.source_file,
        calls.record
    from calls
    inner join resolved on resolved.activity_key = calls.activity_key
    inner join accounts on accounts.account_key = resolved.account_key
    where calls.is_missed
),

evidence as (
    -- outbound call attempts (done, reached or not) and e-mails sent by the agency to the account
    select
        resolved.account_key,
        'call:' || resolved.activity_key as evidence_id,
        resolved.activity_at as evidence_at,
        coalesce(calls.call_day, cast(timezone(params.business_timezone, resolved.activity_at) as date)) as evidence_day,
        coalesce(calls.is_date_only, false) as is_date_only,
        [evidence_item('crm', 'fulfilled_by', resolved.source_file, resolved.record, resolved.activity_id,
            case when resolved.is_outbound_call then 'call back by ' else 'e-mail logged by ' end
                || coalesce(resolved.owner_email, 'unknown') || ': activity', null)] as evidence_items
    from resolved
    cross join params
    left join calls on calls.activity_key = resolved.activity_key
    where resolved.is_outbound_call or resolved.is_outbound_email
    union all
    select
        account_keys.account_key,
        'email:' || messages.message_id,
        messages.sent_at,
        cast(timezone(params.business_timezone, messages.sent_at) as date),
        false,
        email_evidence_items(messages.source_copies, 'fulfilled_by', messages.message_id,
            'e-mail by ' || messages.from_addr, null)
    from messages
    cross join params
    cross join unnest(messages.client_account_keys) as account_keys(account_key)  -- noqa: LT01
),

first_answer as (
    -- for each missed call, the first evidence after it: later in time, or on the same local day
    -- when one of the two has a date only
    select
        missed.activity_key,
        arg_min(evidence.evidence_id, (evidence.evidence_at, evidence.evidence_id)) as evidence_id
    from missed
    inner join evidence
        on evidence.account_key = missed.account_key
        and (
            evidence.evidence_at > missed.activity_at
            or ((evidence.is_date_only or missed.is_date_only) and evidence.evidence_day = missed.call_day)
        )
    group by missed.activity_key
),

rounds as (
    -- missed calls answered by the same evidence (or not answered yet) are one obligation
    select
        missed.account_key,
        first_answer.evidence_id,
        arg_min(missed.activity_key, (missed.activity_at, missed.activity_key)) as opening_key,
        min(missed.activity_at) as opened_at,
        list(
            evidence_item('crm', 'opened_by', missed.source_file, missed.record, missed.activity_id,
                'missed call',
                coalesce(' (' || missed.call_result || ')', '')
                    || case when missed.is_date_only then ' dated ' || cast(missed.call_day as varchar) else '' end)
            order by missed.activity_at, missed.activity_key
        ) as opening_items
    from missed
    left join first_answer on first_answer.activity_key = missed.activity_key
    group by missed.account_key, first_answer.evidence_id
),

due as (
    -- reply_hours after the opening: working hours (int_working_positions) or wall clock
    select
        rounds.*,
        case
            when params.reply_business_hours then positions.due_at
            else rounds.opened_at + hours_interval(params.reply_hours)
        end as due_at
    from rounds
    cross join params
    left join positions
        on positions.instant is not distinct from rounds.opened_at
        and positions.working_hours = params.reply_hours
),

final as (
    select
        'callback' as standard,
        due.opening_key,
        accounts.owner_email as ae,
        accounts.account_id as client_account,
        due.opened_at,
        due.due_at,
        evidence.evidence_at as fulfilled_at,
        false as is_excused,
        list_concat(due.opening_items, coalesce(evidence.evidence_items, [])) as evidence_items,
        case when evidence.evidence_id is null then 'no outbound call or staff e-mail to the account after it' end
            as evidence_tail,
        accounts.account_name as subject
    from due
    cross join weeks
    inner join accounts on accounts.account_key = due.account_key
    left join evidence on evidence.evidence_id = due.evidence_id and evidence.account_key = due.account_key
    where due.due_at >= weeks.window_start_at
)

select * from final
