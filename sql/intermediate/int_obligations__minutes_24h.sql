-- minutes_24h (会议后24小时内发出会议记录): each client meeting occurrence that has ended by
-- as_of must have its minutes sent within minutes_hours after its end. Evidence: a minutes e-mail
-- (subject keywords) from staff to a client attendee; each e-mail serves the earliest meeting
-- with that client (one of its client recipients attended) that ended before it was sent and has
-- no minutes yet. Executed as written, like agenda_48h: per client account, e-mails in sending
-- order take the earliest-ended unserved candidate; a recursive CTE carries the served list.
with recursive meetings as (
    select * from int_client_meetings where account_key is not null
),

messages as (
    select * from int_email_messages_resolved
    where is_visible and not is_auto_generated and from_kind = 'staff' and is_minutes
),

params as (
    select * from run_params
),

meeting_clients as (
    select occurrence_id, account_key, end_at, unnest(client_emails) as email
    from meetings
),

mail_recipients as (
    select message_id, sent_at, unnest(client_recipients) as email
    from messages
),

candidates as (
    select distinct
        meeting_clients.account_key,
        mail_recipients.message_id,
        mail_recipients.sent_at,
        meeting_clients.occurrence_id,
        meeting_clients.end_at
    from mail_recipients
    inner join meeting_clients
        on meeting_clients.email = mail_recipients.email
        and meeting_clients.end_at < mail_recipients.sent_at
),

queue as (
    select
        account_key,
        message_id,
        row_number() over (partition by account_key order by sent_at, message_id) as step,
        meeting_ids
    from (
        select account_key, message_id, sent_at, list(occurrence_id order by end_at, occurrence_id) as meeting_ids
        from candidates
        group by account_key, message_id, sent_at
    )
),

served(account_key, step, message_id, chosen, served_ids) as (
    select account_key, step, message_id, meeting_ids[1], meeting_ids[1:1]
    from queue
    where step = 1
    union all
    select
        queue.account_key,
        queue.step,
        queue.message_id,
        list_filter(queue.meeting_ids, lambda m: not list_contains(served.served_ids, m))[1],
        list_concat(served.served_ids, list_filter(queue.meeting_ids, lambda m: not list_contains(served.served_ids, m))[1:1])
    from served
    inner join queue on queue.account_key = served.account_key and queue.step = served.step + 1
),

pairs as (
    select served.chosen as occurrence_id, messages.message_id, messages.sent_at, messages.from_addr, messages.sources
    from served
    inner join messages on messages.message_id = served.message_id
    where served.chosen is not null
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
