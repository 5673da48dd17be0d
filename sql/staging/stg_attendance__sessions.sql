-- Online-meeting attendance: one row per join/leave session. A report is the set of sessions
-- of one meeting in one file (report_id), the unit matched to a calendar occurrence.
with source as (
    select * from raw_attendance
),

renamed as (
    select
        lower(trim(platform)) as platform,
        nullif(regexp_replace(coalesce(meeting_id, ''), '\D', '', 'g'), '') as meeting_id,
        nullif(trim(topic), '') as topic,
        meeting_start_at,
        meeting_end_at,
        email_key(organizer_email) as organizer_email,
        nullif(trim(participant_name), '') as participant_name,
        email_key(participant_email) as participant_email,
        join_at,
        leave_at,
        duration_minutes,
        nullif(lower(trim(role)), '') as role,
        source_file,
        record
    from source
),

final as (
    select
        *,
        md5(
            source_file || '|' || coalesce(meeting_id, '') || '|' || coalesce(cast(meeting_start_at as varchar), '')
        ) as report_id
    from renamed
)

select * from final
