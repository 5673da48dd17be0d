-- agenda_48h (会议前48小时发出会议议程): each client meeting occurrence must have its agenda
-- sent agenda_hours before it starts. Evidence: an agenda e-mail (subject keywords) from staff
-- to a client attendee of the meeting that is new evidence (a staff reply confirming the
-- attendees is not: int_email_evidence), or an agenda CRM activity of the account. It serves the
-- meeting its subject names (title, local date or start time) first, else the first not-yet-served
-- meeting with that client that starts after it was sent; naming only served or cancelled meetings
-- it serves nothing: the greedy matching of int_meeting_mail_matched (docs/decisions.md).
-- Opened: Monday 00:00 of the deadline's week (the obligation belongs to that week and shows on
-- the at-risk list from then), or when the meeting entered the calendar if later, but never after
-- the deadline; a meeting put in the calendar (CREATED) after its deadline is excused unless its
-- agenda was on time.
with meetings as (
    select * from int_client_meetings where account_key is not null
),

agenda_mail as (
    select * from int_meeting_mail_matched where evidence_kind = 'agenda'
),

params as (
    select * from run_params
),

scheduled as (
    select
        meetings.*,
        meetings.start_at - hours_interval(params.agenda_hours) as due_at
    from meetings
    cross join params
),

final as (
    select
        'agenda_48h' as standard,
        scheduled.occurrence_id as opening_key,
        scheduled.ae,
        scheduled.client_account,
        meeting_prep_opened_at(scheduled.due_at, scheduled.first_created_at, params.business_timezone) as opened_at,
        scheduled.due_at,
        agenda_mail.sent_at as fulfilled_at,
        is_excused_late_booking(scheduled.first_created_at, scheduled.due_at, agenda_mail.sent_at) as is_excused,
        list_concat(
            [evidence_item('calendar', 'opened_by', scheduled.source_file, scheduled.record, scheduled.occurrence_id,
                'meeting', ' starting ' || local_minute(scheduled.start_at, params.business_timezone))],
            coalesce(agenda_mail.evidence_items, [])
        ) as evidence_items,
        case
            when is_booked_after_deadline(scheduled.first_created_at, scheduled.due_at)
                then 'entered the calendar (CREATED) after its agenda deadline'
        end as evidence_tail,
        scheduled.summary as subject
    from scheduled
    cross join params
    left join agenda_mail on agenda_mail.occurrence_id = scheduled.occurrence_id
)

select * from final
