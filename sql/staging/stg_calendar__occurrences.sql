-- Calendar occurrences: one row per event occurrence. The same occurrence exported more than
-- once (an invitation and its update, two people's calendars) keeps the version with the
-- highest SEQUENCE, then the latest DTSTAMP. A single (non-recurring) event is keyed by its UID
-- alone, because its occurrence_key is its start and moves when the event is rescheduled.
-- first_created_at / first_dtstamp_at are over every copy: when the event entered a calendar.
with source as (
    select * from raw_calendar_events
),

renamed as (
    select
        trim(event_uid) as event_uid,
        trim(occurrence_key) as occurrence_key,
        case when is_recurring then trim(occurrence_key) else '' end as version_key,
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
),

with_first_seen as (
    select
        *,
        min(created_at) over (partition by event_uid) as first_created_at,
        min(dtstamp_at) over (partition by event_uid) as first_dtstamp_at,
        count(*) over (partition by event_uid, version_key) as version_count
    from renamed
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
    from with_first_seen
    qualify row_number() over (
        partition by event_uid, version_key
        order by sequence desc, dtstamp_at desc nulls last, last_modified_at desc nulls last,
            source_file desc, record_no desc
    ) = 1
)

select * from final
