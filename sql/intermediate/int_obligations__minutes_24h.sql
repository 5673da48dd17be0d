-- minutes_24h (会议后24小时内发出会议记录): each client meeting occurrence that has ended by
-- as_of must have its minutes sent within minutes_hours after its end. Evidence: a minutes e-mail
-- (subject keywords) from staff to a client attendee; each e-mail serves the earliest meeting
-- with that client (one of its client recipients attended) that ended before it was sent and has
-- no minutes yet: the greedy matching of int_meeting_mail_matched, as for agenda_48h.
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
        occurrence_ref(meetings.event_uid, meetings.occurrence_key, meetings.source_file, meetings.record)
            || ' ending ' || local_minute(meetings.end_at, params.business_timezone)
            || case
                when minutes_mail.message_id is not null
                    then '; minutes from ' || minutes_mail.from_addr || ' Message-ID <' || minutes_mail.message_id || '> in '
                        || array_to_string(minutes_mail.sources, ', ')
                else ''
            end as evidence,
        meetings.summary as subject
    from meetings
    cross join params
    left join minutes_mail on minutes_mail.occurrence_id = meetings.occurrence_id
    where meetings.end_at <= params.as_of
)

select * from final
