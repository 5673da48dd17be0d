-- Client meetings: occurrences (of each event's winning copy, see stg_calendar__occurrences) that are not
-- cancelled, not all-day, and have at least one client attendee (the organiser counts as one;
-- an attendee who declined is still an attendee: the meeting is on the calendar with them until
-- it is cancelled). Rooms and resources are not people. The meeting's client
-- account is the one most of its client participants belong to; its AE is the organiser when
-- staff, else the account's owner, else the first staff participant. Internal attendees are
-- the staff participants other than the organiser (declined ones too: they were invited).
-- An occurrence that entered the calendar after as_of (CREATED) is not seen.
with occurrences as (
    select * from stg_calendar__occurrences
),

attendees as (
    select * from stg_calendar__attendees
),

identities as (
    select * from int_identities
),

accounts as (
    select * from int_accounts
),

params as (
    select * from run_params
),

candidate_occurrences as (
    select occurrences.*
    from occurrences
    cross join params
    where not occurrences.is_cancelled
        and not occurrences.is_all_day
        and occurrences.end_at >= occurrences.start_at
        and (occurrences.first_created_at is null or occurrences.first_created_at <= params.as_of)
),

participants as (
    -- the attendees written with the winning version of the occurrence, plus its organiser
    select
        occ.occurrence_id,
        attendees.email,
        coalesce(attendees.partstat, 'NEEDS-ACTION') as partstat,
        coalesce(attendees.role, 'REQ-PARTICIPANT') as role
    from candidate_occurrences as occ
    inner join attendees
        on attendees.event_uid = occ.event_uid
        and attendees.occurrence_key = occ.occurrence_key
        and attendees.source_file = occ.source_file
    where coalesce(attendees.cutype, 'INDIVIDUAL') not in ('ROOM', 'RESOURCE')
    union all
    select occurrence_id, organizer_email, 'ACCEPTED', 'CHAIR'
    from candidate_occurrences
    where organizer_email is not null
),

participant_identities as (
    select
        participants.occurrence_id,
        participants.email,
        bool_or(participants.role <> 'NON-PARTICIPANT') as is_participant,
        bool_and(participants.partstat = 'DECLINED') as has_declined,
        any_value(identities.identity_kind) as identity_kind,
        any_value(identities.account_id) as account_id,
        any_value(identities.account_key) as account_key
    from participants
    left join identities on identities.email = participants.email
    group by participants.occurrence_id, participants.email
),

client_participants as (
    select occurrence_id, email, account_id, account_key
    from participant_identities
    where identity_kind = 'client'
),

meeting_accounts as (
    select occurrence_id, account_key, any_value(account_id) as account_id
    from client_participants
    where account_key is not null
    group by occurrence_id, account_key
    qualify row_number() over (partition by occurrence_id order by count(*) desc, account_key) = 1
),

client_lists as (
    select occurrence_id, list(distinct email order by email) as client_emails
    from client_participants
    group by occurrence_id
),

staff_lists as (
    select
        participant_identities.occurrence_id,
        list(distinct participant_identities.email order by participant_identities.email) as staff_emails
    from participant_identities
    where participant_identities.identity_kind = 'staff'
        and participant_identities.is_participant
    group by participant_identities.occurrence_id
),

final as (
    select
        occ.occurrence_id,
        occ.event_uid,
        occ.occurrence_key,
        occ.start_at,
        occ.end_at,
        occ.summary,
        subject_key(occ.summary) as summary_key,
        occ.organizer_email,
        organizer.identity_kind = 'staff' as is_organizer_staff,
        coalesce(accounts.account_id, meeting_accounts.account_id) as client_account,
        meeting_accounts.account_key as account_key,
        coalesce(
            case when organizer.identity_kind = 'staff' then occ.organizer_email end,
            accounts.owner_email,
            staff_lists.staff_emails[1]
        ) as ae,
        client_lists.client_emails,
        list_filter(coalesce(staff_lists.staff_emails, []), lambda e: e <> coalesce(occ.organizer_email, ''))
            as internal_emails,
        occ.first_created_at,
        coalesce(occ.first_created_at, occ.first_dtstamp_at) as invited_at,
        occ.online_meeting_id,
        occ.is_recurring,
        occ.sequence,
        occ.source_file,
        occ.record
    from candidate_occurrences as occ
    inner join client_lists on client_lists.occurrence_id = occ.occurrence_id
    left join meeting_accounts on meeting_accounts.occurrence_id = occ.occurrence_id
    left join accounts on accounts.account_key = meeting_accounts.account_key
    left join identities as organizer on organizer.email = occ.organizer_email
    left join staff_lists on staff_lists.occurrence_id = occ.occurrence_id
)

select * from final
