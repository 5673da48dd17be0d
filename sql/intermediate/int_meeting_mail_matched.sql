-- Agenda and minutes e-mails matched to client meetings: one piece of evidence, one meeting
-- (agenda_48h, minutes_24h; docs/decisions.md). An e-mail from staff can serve a meeting of a
-- client account when one of its client recipients attends it and, for an agenda, it was sent
-- before the start, for minutes, after the end. The greedy rule is executed as written: per
-- evidence kind and client account, the e-mails in sending order each take the earliest
-- still-unserved meeting (by start for agendas, by end for minutes) from their candidates; a
-- recursive CTE carries the list of served meetings from one e-mail to the next.
-- One row per (evidence_kind, served meeting) with the e-mail that serves it.
with recursive meetings as (
    select * from int_client_meetings where account_key is not null
),

messages as (
    select * from int_email_messages_resolved
    where is_visible and not is_auto_generated and from_kind = 'staff' and (is_agenda or is_minutes)
),

meeting_clients as (
    select occurrence_id, account_key, start_at, end_at, unnest(client_emails) as email
    from meetings
),

mail_recipients as (
    select message_id, sent_at, is_agenda, is_minutes, unnest(client_recipients) as email
    from messages
),

candidates as (
    -- every meeting an e-mail can serve, with the time that orders the meetings of its kind
    select distinct
        'agenda' as evidence_kind,
        meeting_clients.account_key,
        mail_recipients.message_id,
        mail_recipients.sent_at,
        meeting_clients.occurrence_id,
        meeting_clients.start_at as meeting_at
    from mail_recipients
    inner join meeting_clients
        on meeting_clients.email = mail_recipients.email
        and meeting_clients.start_at > mail_recipients.sent_at
    where mail_recipients.is_agenda
    union all
    select distinct
        'minutes' as evidence_kind,
        meeting_clients.account_key,
        mail_recipients.message_id,
        mail_recipients.sent_at,
        meeting_clients.occurrence_id,
        meeting_clients.end_at as meeting_at
    from mail_recipients
    inner join meeting_clients
        on meeting_clients.email = mail_recipients.email
        and meeting_clients.end_at < mail_recipients.sent_at
    where mail_recipients.is_minutes
),

queue as (
    -- per kind and account, the e-mails in sending order with their candidates in meeting order
    select
        evidence_kind,
        account_key,
        message_id,
        row_number() over (partition by evidence_kind, account_key order by sent_at, message_id) as step,
        meeting_ids
    from (
        select
            evidence_kind,
            account_key,
            message_id,
            sent_at,
            list(occurrence_id order by meeting_at, occurrence_id) as meeting_ids
        from candidates
        group by evidence_kind, account_key, message_id, sent_at
    )
),

served(evidence_kind, account_key, step, message_id, chosen, served_ids) as (
    select evidence_kind, account_key, step, message_id, meeting_ids[1], meeting_ids[1:1]
    from queue
    where step = 1
    union all
    select
        queue.evidence_kind,
        queue.account_key,
        queue.step,
        queue.message_id,
        list_filter(queue.meeting_ids, lambda m: not list_contains(served.served_ids, m))[1],
        list_concat(served.served_ids, list_filter(queue.meeting_ids, lambda m: not list_contains(served.served_ids, m))[1:1])
    from served
    inner join queue
        on queue.evidence_kind = served.evidence_kind
        and queue.account_key = served.account_key
        and queue.step = served.step + 1
),

final as (
    select
        served.evidence_kind,
        served.chosen as occurrence_id,
        messages.message_id,
        messages.sent_at,
        messages.from_addr,
        messages.sources
    from served
    inner join messages on messages.message_id = served.message_id
    where served.chosen is not null
)

select * from final
