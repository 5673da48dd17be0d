-- minutes_24h (会议后24小时内发出会议记录): each client meeting occurrence that has ended by
-- as_of must have its minutes sent within minutes_hours after its end. Evidence: a minutes e-mail
-- (subject keywords) from staff to a client of the meeting's account; each serves the earliest
-- meeting with that client that ended before it was sent and has no minutes yet.
-- Matching, per client account: the mirror of agenda_48h. In one time line (an e-mail sent at
-- the very end of a meeting comes before it), ended meetings queue first-in-first-out and each
-- minutes e-mail takes the oldest; an e-mail is used when the queue is not empty before it. The
-- queue is never skipped, so the k-th used e-mail serves the k-th meeting by end time.
with meetings as (
    select * from int_client_meetings where account_key is not null
),

messages as (
    select * from int_email_messages_resolved
    where is_visible and not is_auto_generated and from_kind = 'staff' and is_minutes
),

params as (
    select * from run_params
),

minutes_mail as (
    select
        messages.message_id,
        messages.sent_at,
        messages.from_addr,
        messages.sources,
        unnest(messages.client_account_keys) as account_key
    from messages
),

timeline as (
    select account_key, end_at as event_at, 1 as tie_order, occurrence_id as item_id, 1 as delta
    from meetings
    union all
    select account_key, sent_at, 0, message_id, -1
    from minutes_mail
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

used_mail as (
    select
        account_key,
        item_id as message_id,
        row_number() over (partition by account_key order by event_at, item_id) as serve_rank
    from running
    where delta = -1 and balance_before - least(0, lowest_before) >= 1
),

ranked_meetings as (
    select
        account_key,
        occurrence_id,
        row_number() over (partition by account_key order by end_at, occurrence_id) as serve_rank
    from meetings
),

pairs as (
    select ranked_meetings.occurrence_id, minutes_mail.*
    from used_mail
    inner join ranked_meetings
        on ranked_meetings.account_key = used_mail.account_key
        and ranked_meetings.serve_rank = used_mail.serve_rank
    inner join minutes_mail
        on minutes_mail.message_id = used_mail.message_id
        and minutes_mail.account_key = used_mail.account_key
),

final as (
    select
        'minutes_24h' as standard,
        meetings.occurrence_id as opening_key,
        meetings.ae,
        meetings.client_account,
        meetings.end_at as opened_at,
        meetings.end_at + to_microseconds(cast(round(params.minutes_hours * 3600000000) as bigint)) as due_at,
        pairs.sent_at as fulfilled_at,
        false as is_excused,
        occurrence_ref(meetings.event_uid, meetings.occurrence_key, meetings.source_file, meetings.record)
            || ' ending ' || strftime(timezone(params.business_timezone, meetings.end_at), '%Y-%m-%d %H:%M')
            || case
                when pairs.message_id is not null
                    then '; minutes from ' || pairs.from_addr || ' Message-ID <' || pairs.message_id || '> in '
                        || array_to_string(pairs.sources, ', ')
                else ''
            end as evidence,
        meetings.summary as subject
    from meetings
    cross join params
    left join pairs on pairs.occurrence_id = meetings.occurrence_id
    where meetings.end_at <= params.as_of
)

select * from final
