-- agenda_48h (会议前48小时发出会议议程): each client meeting occurrence must have its agenda
-- sent agenda_hours before it starts. Evidence: an agenda e-mail (subject keywords) from staff
-- to a client of the meeting's account; each serves the first not-yet-served meeting with that
-- client that starts after it was sent.
-- Matching, per client account, in SQL: with meetings and e-mails in one time line (a meeting
-- before an e-mail sent at the same instant), the greedy rule is a first-in-first-out queue of
-- unused agendas; a meeting is served when the queue is not empty before it. The queue length
-- is the running sum S (e-mail +1, meeting -1) minus its running minimum (clipped at 0); as no
-- agenda is ever skipped, the k-th served meeting takes the k-th agenda (docs/decisions.md).
-- Opened: Monday 00:00 of the deadline's week (the obligation belongs to that week), or when the
-- meeting entered the calendar if later; a meeting put in the calendar after its deadline is
-- excused unless its agenda was on time.
with meetings as (
    select * from int_client_meetings where account_key is not null
),

messages as (
    select * from int_email_messages_resolved
    where is_visible and not is_auto_generated and from_kind = 'staff' and is_agenda
),

params as (
    select * from run_params
),

agendas as (
    select
        messages.message_id,
        messages.sent_at,
        messages.from_addr,
        messages.sources,
        unnest(messages.client_account_keys) as account_key
    from messages
),

timeline as (
    select account_key, start_at as event_at, 0 as tie_order, occurrence_id as item_id, -1 as delta
    from meetings
    union all
    select account_key, sent_at, 1, message_id, 1
    from agendas
),

balances as (
    select
        *,
        sum(delta) over (
            partition by account_key order by event_at, tie_order, item_id
            rows between unbounded preceding and current row
        ) as balance
    from timeline
),

running as (
    -- queue length before an event = balance before it minus the lowest balance so far (S0 = 0)
    select
        *,
        balance - delta as balance_before,
        coalesce(
            min(balance) over (
                partition by account_key order by event_at, tie_order, item_id
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as lowest_before
    from balances
),

served_meetings as (
    select
        account_key,
        item_id as occurrence_id,
        row_number() over (partition by account_key order by event_at, item_id) as serve_rank
    from running
    where delta = -1 and balance_before - least(0, lowest_before) >= 1
),

ranked_agendas as (
    select
        agendas.*,
        row_number() over (partition by account_key order by sent_at, message_id) as serve_rank
    from agendas
),

pairs as (
    select served_meetings.occurrence_id, ranked_agendas.*
    from served_meetings
    inner join ranked_agendas
        on ranked_agendas.account_key = served_meetings.account_key
        and ranked_agendas.serve_rank = served_meetings.serve_rank
),

scheduled as (
    select
        meetings.*,
        meetings.start_at - to_microseconds(cast(round(params.agenda_hours * 3600000000) as bigint)) as due_at
    from meetings
    cross join params
),

final as (
    select
        'agenda_48h' as standard,
        scheduled.occurrence_id as opening_key,
        scheduled.ae,
        scheduled.client_account,
        greatest(
            local_week_start_at(scheduled.due_at, params.business_timezone),
            coalesce(scheduled.first_created_at, local_week_start_at(scheduled.due_at, params.business_timezone))
        ) as opened_at,
        scheduled.due_at,
        pairs.sent_at as fulfilled_at,
        coalesce(scheduled.first_created_at > scheduled.due_at, false)
            and (pairs.sent_at is null or pairs.sent_at > scheduled.due_at) as is_excused,
        occurrence_ref(scheduled.event_uid, scheduled.occurrence_key, scheduled.source_file, scheduled.record)
            || ' starting ' || strftime(timezone(params.business_timezone, scheduled.start_at), '%Y-%m-%d %H:%M')
            || case
                when pairs.message_id is not null
                    then '; agenda from ' || pairs.from_addr || ' Message-ID <' || pairs.message_id || '> in '
                        || array_to_string(pairs.sources, ', ')
                else ''
            end
            || case
                when coalesce(scheduled.first_created_at > scheduled.due_at, false)
                    then '; entered the calendar (CREATED) after its agenda deadline'
                else ''
            end as evidence,
        scheduled.summary as subject
    from scheduled
    cross join params
    left join pairs on pairs.occurrence_id = scheduled.occurrence_id
)

select * from final
