-- Agenda and minutes evidence matched to client meetings: one piece of evidence, one meeting
-- (agenda_48h, minutes_24h; STANDARDS.md "Matching rules for meetings", docs/decisions.md).
-- Evidence: agenda/minutes e-mails from staff that are new evidence (int_email_evidence: a staff
-- reply in a thread that already holds one is not), and agenda/minutes CRM activities of the
-- account that are done and are not calls (a call "confirm the minutes" is not minutes); a CRM
-- activity that only logs an e-mail already counted (same kind, account and subject, within a
-- day) is that e-mail.
-- An e-mail relates to the meetings one of its client recipients attends, a CRM activity to its
-- account's meetings. It can serve a meeting when, for an agenda, it was sent before the start;
-- for minutes, after the start (while the meeting runs counts) and within minutes_match_days of
-- the end.
-- Naming: the subject (prefixes stripped, case and white space ignored) names a related meeting
-- when it holds its full title (the longest title found wins: "brandco weekly review" over
-- "brandco weekly"), one of its local dates (1月7日, 1/7, 1.7, 2026-01-07, 2026/1/7) or its local
-- start time (14:00); every kind found must match (title and date: both). A series title names
-- every occurrence. Cancelled occurrences (stg_calendar__occurrences.is_cancelled) can be named
-- but never served, so mail naming only them serves nothing.
-- The greedy rule, executed as written: per evidence kind and client account, the evidence in
-- sending order (ties: id) each takes, among the meetings it names (all it can serve when it
-- names none) that are not yet served, the first upcoming (agenda) or the latest started
-- (minutes). Mail that names meetings, none of them still servable, serves nothing: it is never
-- shifted to another meeting. The walk is greedy_matches (sql/macros.sql), shared with the other
-- one-evidence-one-candidate models.
-- One row per (evidence_kind, served meeting) with the evidence that serves it.
with meetings as (
    select * from int_client_meetings where account_key is not null
),

occurrences as (
    select * from stg_calendar__occurrences
),

attendees as (
    select * from stg_calendar__attendees
),

identities as (
    select * from int_identities
),

mail as (
    select * from int_email_evidence where is_agenda_evidence or is_minutes_evidence
),

activities as (
    select resolved.*
    from int_crm_activities_resolved as resolved
    inner join stg_crm__activities as stg on stg.activity_key = resolved.activity_key
    where resolved.is_visible and resolved.account_key is not null
        and (resolved.is_agenda or resolved.is_minutes)
        and coalesce(stg.is_done, false) and not coalesce(stg.is_call, false)
),

params as (
    select * from run_params
),

live_meeting_clients as (
    select occurrence_id, account_key, false as is_cancelled, start_at, end_at, summary, unnest(client_emails) as email
    from meetings
),

cancelled_meeting_clients as (
    -- cancelled occurrences with the clients invited to their event (any version of its UID)
    select distinct
        occurrences.occurrence_id,
        identities.account_key,
        true as is_cancelled,
        occurrences.start_at,
        occurrences.end_at,
        occurrences.summary,
        identities.email
    from occurrences
    inner join (
        select event_uid, email_key(email) as email from attendees
        union
        select event_uid, organizer_email from occurrences
    ) as invited on invited.event_uid = occurrences.event_uid
    inner join identities on identities.email = invited.email and identities.identity_kind = 'client'
    where occurrences.is_cancelled and not occurrences.is_all_day and identities.account_key is not null
),

meeting_clients as (
    select
        all_clients.*,
        nullif(regexp_replace(lower(coalesce(all_clients.summary, '')), '[\s\x{3000}\x{00a0}]+', '', 'g'), '') as title_key,
        cast(timezone(params.business_timezone, all_clients.start_at) as date) as local_date,
        strftime(timezone(params.business_timezone, all_clients.start_at), '%H:%M') as local_time
    from (
        select * from live_meeting_clients
        union all
        select * from cancelled_meeting_clients
    ) as all_clients
    cross join params
),

mail_evidence as (
    select 'agenda' as evidence_kind, * from mail where is_agenda_evidence
    union all
    select 'minutes' as evidence_kind, * from mail where is_minutes_evidence
),

crm_evidence as (
    select 'agenda' as evidence_kind, * from activities where is_agenda
    union all
    select 'minutes' as evidence_kind, * from activities where is_minutes
),

crm_unlogged as (
    -- a CRM activity that logs an e-mail already counted (Email-to-Salesforce) is that e-mail
    select crm_evidence.*
    from crm_evidence
    where not exists (
        select 1
        from mail_evidence
        where mail_evidence.evidence_kind = crm_evidence.evidence_kind
            and list_contains(mail_evidence.client_account_keys, crm_evidence.account_key)
            and mail_evidence.subject_key is not null
            and contains(coalesce(subject_key(crm_evidence.subject), ''), mail_evidence.subject_key)
            and abs(epoch(mail_evidence.sent_at - crm_evidence.activity_at)) <= 86400
    )
),

evidence as (
    select
        evidence_kind,
        message_id as evidence_id,
        message_id,
        cast(null as varchar) as activity_id,
        sent_at,
        subject,
        client_recipients,
        cast(null as varchar) as account_key,
        from_addr,
        email_evidence_items(source_copies, 'fulfilled_by', message_id, evidence_kind || ' from ' || from_addr, null)
            as evidence_items
    from mail_evidence
    union all
    select
        evidence_kind,
        activity_id,
        cast(null as varchar),
        activity_id,
        activity_at,
        subject,
        cast(null as varchar[]),
        account_key,
        owner_email,
        [evidence_item('crm', 'fulfilled_by', source_file, record, activity_id, evidence_kind || ': CRM activity', null)]
    from crm_unlogged
),

subject_tokens as (
    -- what the subject says: its text without white space, and the dates and times written in it
    select
        evidence_kind,
        evidence_id,
        regexp_replace(coalesce(subject_key(subject), ''), '[\s\x{3000}\x{00a0}]+', '', 'g') as subject_text,
        list_transform(
            regexp_extract_all(coalesce(subject_key(subject), ''), '\d{4}[-/.]\d{1,2}[-/.]\d{1,2}'),
            lambda x: try_cast(try_strptime(regexp_replace(x, '[-/.]', '-', 'g'), '%Y-%m-%d') as date)
        ) as full_dates,
        list_transform(
            regexp_extract_all(
                regexp_replace(coalesce(subject_key(subject), ''), '\d{4}[-/.]\d{1,2}[-/.]\d{1,2}', ' ', 'g'),
                '\d+[/.]\d+|\d+月\d+'
            ),
            lambda x: lpad(regexp_extract(x, '^(\d+)', 1), 2, '0') || '-' || lpad(regexp_extract(x, '(\d+)$', 1), 2, '0')
        ) as month_days,
        list_transform(
            regexp_extract_all(coalesce(subject_key(subject), ''), '\d{1,2}[:：]\d{2}'),
            lambda x: lpad(regexp_extract(x, '^(\d+)', 1), 2, '0') || ':' || regexp_extract(x, '(\d{2})$', 1)
        ) as times
    from evidence
),

related as (
    -- every meeting (live or cancelled) of the client an evidence concerns
    select distinct
        evidence.evidence_kind,
        evidence.evidence_id,
        evidence.sent_at,
        meeting_clients.account_key,
        meeting_clients.occurrence_id,
        meeting_clients.is_cancelled,
        meeting_clients.start_at,
        meeting_clients.end_at,
        meeting_clients.title_key,
        meeting_clients.local_date,
        meeting_clients.local_time
    from evidence
    inner join (
        select evidence_kind, evidence_id, unnest(client_recipients) as email from evidence
    ) as recipients
        on recipients.evidence_kind = evidence.evidence_kind and recipients.evidence_id = evidence.evidence_id
    inner join meeting_clients on meeting_clients.email = recipients.email
    union
    select
        evidence.evidence_kind,
        evidence.evidence_id,
        evidence.sent_at,
        meeting_clients.account_key,
        meeting_clients.occurrence_id,
        meeting_clients.is_cancelled,
        meeting_clients.start_at,
        meeting_clients.end_at,
        meeting_clients.title_key,
        meeting_clients.local_date,
        meeting_clients.local_time
    from evidence
    inner join meeting_clients on meeting_clients.account_key = evidence.account_key
),

matched_names as (
    select
        related.*,
        related.title_key is not null and contains(subject_tokens.subject_text, related.title_key) as title_match,
        list_contains(subject_tokens.full_dates, related.local_date)
            or list_contains(subject_tokens.month_days, strftime(related.local_date, '%m-%d')) as date_match,
        list_contains(subject_tokens.times, related.local_time) as time_match,
        not related.is_cancelled and case
            when related.evidence_kind = 'agenda' then related.start_at > related.sent_at
            else related.start_at < related.sent_at
                and related.sent_at <= related.end_at + to_days(cast(params.minutes_match_days as integer))
        end as is_servable
    from related
    cross join params
    inner join subject_tokens
        on subject_tokens.evidence_kind = related.evidence_kind
        and subject_tokens.evidence_id = related.evidence_id
),

named as (
    -- per evidence and account: which kinds of name the subject holds, and so which meetings it names
    select
        *,
        max(case when title_match then length(title_key) end)
            over (partition by evidence_kind, evidence_id, account_key) as title_length,
        bool_or(date_match) over (partition by evidence_kind, evidence_id, account_key) as has_date,
        bool_or(time_match) over (partition by evidence_kind, evidence_id, account_key) as has_time
    from matched_names
),

queue as (
    -- per kind and account, each evidence with the meetings it may take, in order
    select
        evidence_kind,
        account_key,
        evidence_id,
        sent_at,
        case
            when evidence_kind = 'agenda' then list(occurrence_id order by start_at, occurrence_id)
            else list(occurrence_id order by start_at desc, occurrence_id desc)
        end as meeting_ids
    from named
    where is_servable
        and (title_length is null or (title_match and length(title_key) = title_length))
        and (not has_date or date_match)
        and (not has_time or time_match)
    group by evidence_kind, account_key, evidence_id, sent_at
),

served as (
    -- per kind and account, the evidence in sending order (ties: id) each takes the first meeting
    -- of its list that no earlier evidence took (greedy_matches, sql/macros.sql)
    select
        evidence_kind,
        account_key,
        unnest(
            greedy_matches(list({'evidence_key': evidence_id, 'candidate_keys': meeting_ids} order by sent_at, evidence_id)),
            recursive := true
        )
    from queue
    group by evidence_kind, account_key
),

final as (
    select
        served.evidence_kind,
        served.candidate_key as occurrence_id,
        evidence.message_id,
        evidence.activity_id,
        evidence.sent_at,
        evidence.from_addr,
        evidence.evidence_items
    from served
    inner join evidence
        on evidence.evidence_kind = served.evidence_kind
        and evidence.evidence_id = served.evidence_key
    where served.candidate_key is not null
)

select * from final
