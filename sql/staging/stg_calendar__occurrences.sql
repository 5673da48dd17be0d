-- Calendar occurrences: one row per event occurrence, one event per UID (STANDARDS.md "One event,
-- one truth"). Every exported copy of an event stays in raw_calendar_events (the organiser's
-- calendar, each attendee's, an invitation and its update); here one copy wins per UID, for the
-- whole series: the copy whose master VEVENT (its rows that are not RECURRENCE-ID overrides) has
-- the highest SEQUENCE, then the latest LAST-MODIFIED, then the latest DTSTAMP, then the last
-- source file by name (deterministic). Its occurrences, with its own overrides applied by the
-- parser, are the event's occurrences: an occurrence that only a losing copy has (the series
-- moved from 10:00 to 14:00, cut short by UNTIL/COUNT, single in one copy and recurring in
-- another) never survives.
-- An override (RECURRENCE-ID) from another copy replaces the winner's occurrence it names only
-- when it is a newer version of that occurrence (higher SEQUENCE, or the same SEQUENCE and a later
-- LAST-MODIFIED): an update or a cancellation of one occurrence saved on its own (an .ics with
-- only that override) is newer news than the series it belongs to; an override naming an
-- occurrence the winning series does not have never applies. When no copy has a master (only overrides were exported), each
-- occurrence keeps its newest version (SEQUENCE, then LAST-MODIFIED, DTSTAMP, file).
-- Records without a start (loaded so that they stay visible, and listed in quarantine) are not
-- occurrences.
-- first_created_at / first_dtstamp_at are over every copy of the UID, losing ones included:
-- when the event first entered any calendar (the invitation of internal_notice_24h and the
-- late-booking rule use them).
with source as (
    select * from raw_calendar_events
),

renamed as (
    select
        trim(event_uid) as event_uid,
        trim(occurrence_key) as occurrence_key,
        start_at,
        end_at,
        is_all_day,
        is_recurring,
        is_override,
        nullif(trim(summary), '') as summary,
        nullif(upper(trim(status)), '') as status,
        email_key(organizer_email) as organizer_email,
        nullif(trim(organizer_name), '') as organizer_name,
        location,
        description,
        nullif(regexp_replace(coalesce(online_meeting_id, ''), '\D', '', 'g'), '') as online_meeting_id,
        created_at,
        dtstamp_at,
        last_modified_at,
        coalesce(sequence, 0) as sequence,
        tzid,
        source_file,
        record,
        record_no(record) as record_no
    from source
    where start_at is not null
),

with_first_seen as (
    select
        *,
        min(created_at) over (partition by event_uid) as first_created_at,
        min(dtstamp_at) over (partition by event_uid) as first_dtstamp_at,
        count(distinct source_file) over (partition by event_uid) as version_count
    from renamed
),

copy_versions as (
    -- the version of each exported copy of an event: its master VEVENT's stamps
    select
        event_uid,
        source_file,
        max(sequence) as master_sequence,
        max(last_modified_at) as master_last_modified_at,
        max(dtstamp_at) as master_dtstamp_at
    from renamed
    where not is_override
    group by event_uid, source_file
),

winning_copies as (
    select event_uid, source_file
    from copy_versions
    qualify row_number() over (
        partition by event_uid
        order by master_sequence desc, master_last_modified_at desc nulls last,
            master_dtstamp_at desc nulls last, source_file desc
    ) = 1
),

winning_keys as (
    select distinct renamed.event_uid, renamed.occurrence_key
    from renamed
    inner join winning_copies
        on winning_copies.event_uid = renamed.event_uid
        and winning_copies.source_file = renamed.source_file
),

candidates as (
    -- the winner's rows, other copies' overrides of the winner's occurrences, and every row of
    -- an event no copy of which has a master
    select
        with_first_seen.*,
        coalesce(with_first_seen.source_file = winning_copies.source_file, false) as is_winning_copy
    from with_first_seen
    left join winning_copies on winning_copies.event_uid = with_first_seen.event_uid
    where winning_copies.source_file is null
        or winning_copies.source_file = with_first_seen.source_file
        or (
            with_first_seen.is_override
            and exists (
                select 1
                from winning_keys
                where winning_keys.event_uid = with_first_seen.event_uid
                    and winning_keys.occurrence_key = with_first_seen.occurrence_key
            )
        )
),

final as (
    select
        event_uid,
        occurrence_key,
        event_uid || ' / ' || occurrence_key as occurrence_id,
        start_at,
        end_at,
        is_all_day,
        is_recurring,
        is_override,
        summary,
        status,
        coalesce(status, '') = 'CANCELLED' as is_cancelled,
        organizer_email,
        organizer_name,
        location,
        description,
        online_meeting_id,
        created_at,
        dtstamp_at,
        last_modified_at,
        first_created_at,
        first_dtstamp_at,
        sequence,
        version_count,
        tzid,
        source_file,
        record
    from candidates
    qualify row_number() over (
        partition by event_uid, occurrence_key
        order by sequence desc, last_modified_at desc nulls last, is_winning_copy desc,
            dtstamp_at desc nulls last, source_file desc, record_no desc
    ) = 1
)

select * from final
