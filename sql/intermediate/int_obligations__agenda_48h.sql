-- agenda_48h (会议前48小时发出会议议程): each client meeting occurrence must have its agenda
-- sent agenda_hours before it starts. Evidence: an agenda e-mail (subject keywords) from staff
-- to a client attendee of the meeting; each e-mail serves the first not-yet-served meeting with
-- that client (one of its client recipients attends) that starts after it was sent.
-- The greedy rule is executed as written, in SQL: per client account, the e-mails in sending
-- order each take the earliest still-unserved meeting from their list of candidates; a recursive
-- CTE carries the list of served meetings from one e-mail to the next (docs/decisions.md).
-- Opened: Monday 00:00 of the deadline's week (the obligation belongs to that week and shows on
-- the at-risk list from then), or when the meeting entered the calendar if later, but never after
-- the deadline; a meeting put in the calendar (CREATED) after its deadline is excused unless its
-- agenda was on time.
with recursive meetings as (
    select * from int_client_meetings where account_key is not null
),

messages as (
    select * from int_email_messages_resolved
    where is_visible and not is_auto_generated and from_kind = 'staff' and is_agenda
),

params as (
    select * from run_params
),

meeting_clients as (
    select occurrence_id, account_key, start_at, unnest(client_emails) as email
    from meetings
),

mail_recipients as (
    select message_id, sent_at, unnest(client_recipients) as email
    from messages
),

candidates as (
    -- every meeting an agenda can serve: it starts after the send and a recipient attends it
    select distinct
        meeting_clients.account_key,
        mail_recipients.message_id,
        mail_recipients.sent_at,
        meeting_clients.occurrence_id,
        meeting_clients.start_at
    from mail_recipients
    inner join meeting_clients
        on meeting_clients.email = mail_recipients.email
        and meeting_clients.start_at > mail_recipients.sent_at
),

queue as (
    -- per account, the e-mails in sending order with their candidates in starting order
    select
        account_key,
        message_id,
        row_number() over (partition by account_key order by sent_at, message_id) as step,
        meeting_ids
    from (
        select account_key, message_id, sent_at, list(occurrence_id order by start_at, occurrence_id) as meeting_ids
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
        least(
            scheduled.due_at,
            greatest(
                local_week_start_at(scheduled.due_at, params.business_timezone),
                coalesce(scheduled.first_created_at, local_week_start_at(scheduled.due_at, params.business_timezone))
            )
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
