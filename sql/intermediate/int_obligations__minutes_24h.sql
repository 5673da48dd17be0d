-- minutes_24h (会议后24小时内发出会议记录): each client meeting occurrence that has ended by
-- as_of must have its minutes sent within minutes_hours after its end. Evidence: a minutes e-mail
-- (subject keywords) from staff to a client attendee that is new evidence (a staff reply to
-- comments on the minutes is not: int_email_evidence), or a minutes CRM activity of the account,
-- sent after the meeting started and within minutes_match_days of its end. It serves the meeting
-- its subject names (title, local date or start time) first, else the LATEST started meeting with
-- that client that has no minutes yet (one meeting without minutes does not make the rest of a
-- weekly series late); naming only served or cancelled meetings it serves nothing: the greedy
-- matching of int_meeting_mail_matched (docs/decisions.md).
with meetings as (
    select * from int_client_meetings where account_key is not null
),

minutes_mail as (
    select * from int_meeting_mail_matched where evidence_kind = 'minutes'
),

params as (
    select * from run_params
),

final as (
    select
        'minutes_24h' as standard,
        meetings.occurrence_id as opening_key,
        meetings.ae,
        meetings.client_account,
        meetings.end_at as opened_at,
        meetings.end_at + hours_interval(params.minutes_hours) as due_at,
        minutes_mail.sent_at as fulfilled_at,
        false as is_excused,
        list_concat(
            [evidence_item('calendar', 'opened_by', meetings.source_file, meetings.record, meetings.occurrence_id,
                'meeting', ' ending ' || local_minute(meetings.end_at, params.business_timezone))],
            coalesce(minutes_mail.evidence_items, [])
        ) as evidence_items,
        meetings.summary as subject
    from meetings
    cross join params
    left join minutes_mail on minutes_mail.occurrence_id = meetings.occurrence_id
    where meetings.end_at <= params.as_of
)

select * from final
