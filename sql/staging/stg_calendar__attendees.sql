-- Calendar attendees: one row per attendee of an occurrence as written in one file (the
-- occurrence's winning version is chosen in int_client_meetings).
with source as (
    select * from raw_calendar_attendees
),

final as (
    select
        trim(event_uid) as event_uid,
        trim(occurrence_key) as occurrence_key,
        email_key(email) as email,
        nullif(trim(name), '') as attendee_name,
        nullif(upper(trim(role)), '') as role,
        nullif(upper(trim(partstat)), '') as partstat,
        nullif(upper(trim(cutype)), '') as cutype,
        source_file,
        record
    from source
    where email_key(email) is not null
    qualify row_number() over (
        partition by trim(event_uid), trim(occurrence_key), source_file, email_key(email)
        order by record_no(record)
    ) = 1
)

select * from final
