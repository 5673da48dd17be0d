-- reschedule_notice (若因意外不能按时赴约,须提前通知客户延期或改期): if you cannot keep an appointment,
-- tell the client in advance that it is postponed or moved.
-- Opened (STANDARDS.md "Decisions for the other twelve") by a client meeting occurrence the agency
-- moved or cancelled: an occurrence of the winning version of its event (stg_calendar__occurrences,
-- "one event, one truth") that a RECURRENCE-ID override moved (its start differs from the start the
-- series scheduled, its occurrence key) or that is STATUS:CANCELLED, organised by staff, with a
-- client among the attendees of any version of its UID, not all-day, and with a LAST-MODIFIED
-- that dates the change. Opened at the change (LAST-MODIFIED); due reschedule_notice_hours
-- (default 24) before the original start. Occurrences removed by EXDATE leave no row and cannot be
-- dated: not evaluated. A single (non-recurring) event moved by editing its DTSTART keeps no
-- trace of its original start in the winning version: not evaluated either.
-- Fulfilled by the change itself (LAST-MODIFIED) or by an earlier e-mail from staff to a client
-- attendee whose subject holds a reschedule keyword (改期, 延期, 取消, 推迟, reschedule, postpone,
-- cancel) and names the meeting (its title or its original local date; when the subject holds a
-- date, it must be that date: "title and date, both"), sent after the event
-- entered the calendar: the earlier of the two. Met when at least reschedule_notice_hours before
-- the original start, else late (never missed: the change itself is the notice).
-- The AE is the organiser.
with occurrences as (
    select * from stg_calendar__occurrences
),

attendees as (
    select * from stg_calendar__attendees
),

identities as (
    select * from int_identities
),

mail as (
    select * from int_email_evidence
),

weeks as (
    select * from int_weeks
),

params as (
    select * from run_params
),

keywords as (
    select lower(trim(keyword)) as keyword
    from classification_keywords
    where kind = 'reschedule' and trim(keyword) <> ''
),

window_start as (
    select min(week_start_at) as start_at from weeks
),

changed as (
    select
        occurrences.*,
        coalesce(try_cast(occurrences.occurrence_key as timestamptz), occurrences.start_at) as original_start_at,
        case
            when occurrences.is_cancelled then 'cancelled'
            else 'moved'
        end as change_kind
    from occurrences
    inner join identities as organizer
        on organizer.email = occurrences.organizer_email and organizer.identity_kind = 'staff'
    where not occurrences.is_all_day
        and occurrences.last_modified_at is not null
        and (
            occurrences.is_cancelled
            or (occurrences.is_override
                and occurrences.start_at <> coalesce(try_cast(occurrences.occurrence_key as timestamptz), occurrences.start_at))
        )
),

invited_clients as (
    -- the clients invited to any version of the event (a cancelled copy may list nobody)
    select distinct invited.event_uid, identities.email, identities.account_id, identities.account_key
    from (
        select event_uid, email from attendees where coalesce(cutype, 'INDIVIDUAL') not in ('ROOM', 'RESOURCE')
        union
        select event_uid, organizer_email from occurrences
    ) as invited
    inner join identities on identities.email = invited.email and identities.identity_kind = 'client'
),

event_accounts as (
    select event_uid, account_key, any_value(account_id) as account_id
    from invited_clients
    where account_key is not null
    group by event_uid, account_key
    qualify row_number() over (partition by event_uid order by count(*) desc, account_key) = 1
),

client_changes as (
    select
        changed.*,
        event_accounts.account_id as client_account,
        (select list(distinct c.email) from invited_clients as c where c.event_uid = changed.event_uid) as client_emails,
        nullif(regexp_replace(lower(coalesce(changed.summary, '')), '[\s\p{Z}]+', '', 'g'), '') as title_key,
        cast(timezone(params.business_timezone, changed.original_start_at) as date) as original_local_date
    from changed
    cross join params
    left join event_accounts on event_accounts.event_uid = changed.event_uid
    where exists (select 1 from invited_clients where invited_clients.event_uid = changed.event_uid)
        and (changed.first_created_at is null or changed.first_created_at <= params.as_of)
),

notice_mail as (
    select mail.*, regexp_replace(lower(coalesce(mail.subject_key, '')), '[\s\p{Z}]+', '', 'g') as subject_text
    from mail
    where mail.from_kind = 'staff' and not mail.is_auto_generated and mail.has_client_recipient
        and exists (select 1 from keywords where contains(lower(coalesce(mail.subject_normalized, '')), keywords.keyword))
),

notices as (
    -- the first e-mail that announced the change before it was made
    select
        client_changes.occurrence_id,
        notice_mail.message_id,
        notice_mail.sent_at,
        notice_mail.source_copies,
        notice_mail.from_addr
    from client_changes
    inner join notice_mail
        on len(list_intersect(notice_mail.client_recipients, client_changes.client_emails)) > 0
        and notice_mail.sent_at <= client_changes.last_modified_at
        and notice_mail.sent_at >= coalesce(client_changes.first_created_at, notice_mail.sent_at)
    cross join lateral (
        select
            client_changes.title_key is not null and contains(notice_mail.subject_text, client_changes.title_key)
                as title_match,
            regexp_matches(
                notice_mail.subject_text,
                '(^|\D)(' || year(client_changes.original_local_date) || '[-/.])?0?'
                    || month(client_changes.original_local_date) || '(月|/|\.|-)0?'
                    || day(client_changes.original_local_date) || '(\D|$)'
            ) as date_match,
            regexp_matches(notice_mail.subject_text, '\d{1,2}(月|/|\.)\d{1,2}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}')
                as has_date
    ) as naming
    -- names the meeting: its title or its original date; a date written in the subject must be its date
    where (naming.title_match or naming.date_match) and (not naming.has_date or naming.date_match)
    qualify row_number() over (partition by client_changes.occurrence_id order by notice_mail.sent_at, notice_mail.message_id) = 1
),

final as (
    select
        'reschedule_notice' as standard,
        client_changes.occurrence_id as opening_key,
        client_changes.organizer_email as ae,
        client_changes.client_account,
        client_changes.last_modified_at as opened_at,
        client_changes.original_start_at - hours_interval(params.reschedule_notice_hours) as due_at,
        least(client_changes.last_modified_at, notices.sent_at) as fulfilled_at,
        false as is_excused,
        list_concat(
            [evidence_item('calendar', 'opened_by', client_changes.source_file, client_changes.record,
                client_changes.occurrence_id, 'meeting',
                ' scheduled ' || local_minute(client_changes.original_start_at, params.business_timezone)
                    || case
                        when client_changes.change_kind = 'cancelled' then ' cancelled'
                        else ' moved to ' || local_minute(client_changes.start_at, params.business_timezone)
                    end
                    || ' (LAST-MODIFIED ' || local_minute(client_changes.last_modified_at, params.business_timezone) || ')')],
            email_evidence_items(notices.source_copies, 'fulfilled_by', notices.message_id,
                'notice from ' || notices.from_addr, null)
        ) as evidence_items,
        case
            when notices.message_id is null then 'notified by the calendar change itself'
        end as evidence_tail,
        client_changes.summary as subject
    from client_changes
    cross join params
    cross join window_start
    left join notices on notices.occurrence_id = client_changes.occurrence_id
    where client_changes.original_start_at - hours_interval(params.reschedule_notice_hours) >= window_start.start_at
)

select * from final
