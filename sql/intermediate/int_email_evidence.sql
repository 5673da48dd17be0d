-- Which messages are evidence of which kind (STANDARDS.md "Classification of messages"): a staff
-- reply is not new evidence. One row per seen message: its columns from int_email_messages_resolved,
-- its thread, and one flag per kind (agenda, minutes, weekly_report, supervisor_report) that the
-- standards read instead of the bare subject classification.
-- A message is evidence of a kind when it is classified so, comes from staff, is not
-- auto-generated, and is not a staff reply (a Re:/RE:/回复:/答复: prefix, or an In-Reply-To header
-- on a message whose subject does not start with a forward prefix) in a thread (int_email_threads)
-- that already holds an earlier message of the same kind with that client (sent by or to a
-- client of one of the reply's client accounts); for supervisor reports, with that AE (the
-- replier sent or received the earlier one). Forwards (Fwd:/转发:) and new messages are evidence.
with messages as (
    select * from int_email_messages_resolved where is_visible
),

message_parties as (
    -- the columns the threads and the self-join read (the messages' whole rows are read once, at the end)
    select
        message_id,
        sent_at,
        from_kind,
        from_addr,
        from_account_key,
        client_account_keys,
        staff_recipients,
        subject,
        has_reply_prefix,
        in_reply_to,
        is_agenda,
        is_minutes,
        is_weekly_report,
        is_supervisor_report
    from int_email_messages_resolved
    where is_visible
),

threads as (
    select * from int_email_threads
),

threaded as (
    -- each message's thread, and whether it is a staff reply
    select
        message_parties.message_id,
        threads.thread_id,
        message_parties.from_kind = 'staff'
            and (
                message_parties.has_reply_prefix
                or (message_parties.in_reply_to is not null and not has_forward_prefix(message_parties.subject))
            ) as is_staff_reply
    from message_parties
    inner join threads on threads.message_id = message_parties.message_id
),

classified as (
    -- the messages of some kind, with the parties a repeat is judged by: all the self-join reads
    select
        message_parties.message_id,
        threaded.thread_id,
        message_parties.sent_at,
        message_parties.from_addr,
        message_parties.client_account_keys,
        threaded.is_staff_reply,
        message_parties.is_agenda,
        message_parties.is_minutes,
        message_parties.is_weekly_report,
        message_parties.is_supervisor_report,
        list_distinct(list_concat(
            message_parties.client_account_keys,
            case when message_parties.from_kind = 'client' and message_parties.from_account_key is not null
                then [message_parties.from_account_key] else [] end
        )) as account_keys,
        list_distinct(list_concat([message_parties.from_addr], message_parties.staff_recipients)) as staff_parties
    from message_parties
    inner join threaded on threaded.message_id = message_parties.message_id
    where message_parties.is_agenda or message_parties.is_minutes
        or message_parties.is_weekly_report or message_parties.is_supervisor_report
),

repeated as (
    -- per staff reply, the kinds that an earlier message of its thread already had with its client
    select
        reply.message_id,
        bool_or(earlier.is_agenda and len(list_intersect(earlier.account_keys, reply.client_account_keys)) > 0)
            as repeats_agenda,
        bool_or(earlier.is_minutes and len(list_intersect(earlier.account_keys, reply.client_account_keys)) > 0)
            as repeats_minutes,
        bool_or(earlier.is_weekly_report and len(list_intersect(earlier.account_keys, reply.client_account_keys)) > 0)
            as repeats_weekly_report,
        bool_or(earlier.is_supervisor_report and list_contains(earlier.staff_parties, reply.from_addr))
            as repeats_supervisor_report
    from classified as reply
    inner join classified as earlier
        on earlier.thread_id = reply.thread_id
        and (earlier.sent_at < reply.sent_at or (earlier.sent_at = reply.sent_at and earlier.message_id < reply.message_id))
    where reply.is_staff_reply
    group by reply.message_id
),

final as (
    select
        messages.*,
        threaded.thread_id,
        threaded.is_staff_reply,
        messages.from_kind = 'staff' and not messages.is_auto_generated as is_staff_evidence,
        messages.is_agenda and is_staff_evidence and not coalesce(repeated.repeats_agenda, false)
            as is_agenda_evidence,
        messages.is_minutes and is_staff_evidence and not coalesce(repeated.repeats_minutes, false)
            as is_minutes_evidence,
        messages.is_weekly_report and is_staff_evidence and not coalesce(repeated.repeats_weekly_report, false)
            as is_weekly_report_evidence,
        messages.is_supervisor_report and is_staff_evidence and not coalesce(repeated.repeats_supervisor_report, false)
            as is_supervisor_report_evidence
    from messages
    inner join threaded on threaded.message_id = messages.message_id
    left join repeated on repeated.message_id = messages.message_id
)

select * from final
