-- internal_notice_24h (会议前24小时通知参加会议的内部人员): a client meeting with internal
-- attendees besides the organiser must reach every one of them internal_notice_hours before it
-- starts. An attendee is reached by the invitation, at the event's creation (CREATED, else the
-- first DTSTAMP), or earlier by an e-mail from staff to them (To/Cc) about the meeting (its
-- subject holds the meeting's summary, or it is the agenda that serves this very meeting in
-- agenda_48h) sent in the 7 days before the start.
-- Fulfilled when the last internal attendee was reached. Opened and excused as agenda_48h.
with meetings as (
    select * from int_client_meetings where len(internal_emails) > 0
),

messages as (
    select * from int_email_messages_resolved
    where is_visible and not is_auto_generated and from_kind = 'staff'
),

recipients as (
    select * from stg_email__recipients
),

meeting_agendas as (
    select occurrence_id, message_id from int_meeting_mail_matched where evidence_kind = 'agenda'
),

params as (
    select * from run_params
),

internal_attendees as (
    select
        meetings.occurrence_id,
        meetings.start_at,
        meetings.summary_key,
        case when meetings.invited_at <= params.as_of then meetings.invited_at end as invited_at,
        unnest(meetings.internal_emails) as attendee
    from meetings
    cross join params
),

notice_mail as (
    select
        internal_attendees.occurrence_id,
        internal_attendees.attendee,
        min(messages.sent_at) as first_mail_at,
        arg_min(messages.message_id, messages.sent_at) as first_mail_id,
        arg_min(messages.source_copies, messages.sent_at) as first_mail_copies
    from internal_attendees
    inner join recipients on recipients.address = internal_attendees.attendee
    inner join messages on messages.message_id = recipients.message_id
    left join meeting_agendas
        on meeting_agendas.occurrence_id = internal_attendees.occurrence_id
        and meeting_agendas.message_id = messages.message_id
    where messages.sent_at < internal_attendees.start_at
        and messages.sent_at >= internal_attendees.start_at - to_days(7)
        and (
            meeting_agendas.message_id is not null
            or (internal_attendees.summary_key is not null and contains(messages.subject_key, internal_attendees.summary_key))
        )
    group by internal_attendees.occurrence_id, internal_attendees.attendee
),

reached as (
    select
        internal_attendees.occurrence_id,
        internal_attendees.attendee,
        least(internal_attendees.invited_at, notice_mail.first_mail_at) as reached_at,
        case
            when notice_mail.first_mail_at < coalesce(internal_attendees.invited_at, 'infinity'::timestamptz)
                then notice_mail.first_mail_id
        end as by_message_id,
        case
            when notice_mail.first_mail_at < coalesce(internal_attendees.invited_at, 'infinity'::timestamptz)
                then notice_mail.first_mail_copies
        end as by_message_copies
    from internal_attendees
    left join notice_mail
        on notice_mail.occurrence_id = internal_attendees.occurrence_id
        and notice_mail.attendee = internal_attendees.attendee
),

per_meeting as (
    select
        occurrence_id,
        case when count(*) = count(reached_at) then max(reached_at) end as all_reached_at,
        count(*) as attendee_count,
        count(reached_at) as reached_count,
        string_agg(
            attendee || ' by ' || coalesce('Message-ID <' || by_message_id || '>', case when reached_at is not null then 'the invitation' else 'nothing yet' end),
            ', ' order by attendee
        ) as reached_by,
        flatten(list(
            email_evidence_items(by_message_copies, 'notified_by', by_message_id, 'notice to ' || attendee, null)
            order by attendee
        )) as notice_items
    from reached
    group by occurrence_id
),

scheduled as (
    select
        meetings.*,
        meetings.start_at - hours_interval(params.internal_notice_hours) as due_at
    from meetings
    cross join params
),

final as (
    select
        'internal_notice_24h' as standard,
        scheduled.occurrence_id as opening_key,
        scheduled.ae,
        scheduled.client_account,
        meeting_prep_opened_at(scheduled.due_at, scheduled.first_created_at, params.business_timezone) as opened_at,
        scheduled.due_at,
        per_meeting.all_reached_at as fulfilled_at,
        is_excused_late_booking(scheduled.first_created_at, scheduled.due_at, per_meeting.all_reached_at) as is_excused,
        list_concat(
            [evidence_item('calendar', 'opened_by', scheduled.source_file, scheduled.record, scheduled.occurrence_id,
                'meeting', ' starting ' || local_minute(scheduled.start_at, params.business_timezone))],
            per_meeting.notice_items
        ) as evidence_items,
        'invitation at ' || coalesce(local_minute(scheduled.invited_at, params.business_timezone), 'unknown')
            || '; internal attendees reached: ' || per_meeting.reached_count || '/' || per_meeting.attendee_count
            || ' (' || per_meeting.reached_by || ')' as evidence_tail,
        scheduled.summary as subject
    from scheduled
    cross join params
    inner join per_meeting on per_meeting.occurrence_id = scheduled.occurrence_id
)

select * from final
