-- on_time (与客户开会决不迟到): a client meeting that took place and has an attendance report
-- matched to it (int_meeting_attendance_matched); meetings without one are not counted. Due:
-- the scheduled start + on_time_grace_minutes; fulfilled by the AE's first join in the report
-- (by address, else by the staff directory's name when the report has no addresses, as Teams
-- lists). An AE absent from the report never joined: missed.
with meetings as (
    select * from int_client_meetings
),

attendance as (
    select * from int_meeting_attendance_matched
),

staff as (
    select * from stg_staff
),

params as (
    select * from run_params
),

reported as (
    select
        occurrence_id,
        any_value(matched_by) as matched_by,
        list(distinct source_file order by source_file) as report_files
    from attendance
    group by occurrence_id
),

ae_joins as (
    select
        meetings.occurrence_id,
        min(attendance.join_at) as first_join_at,
        arg_min(source_ref(attendance.source_file, attendance.record), attendance.join_at) as first_join_ref
    from meetings
    inner join attendance on attendance.occurrence_id = meetings.occurrence_id
    left join staff on staff.email = meetings.ae
    where attendance.participant_email = meetings.ae
        or (
            attendance.participant_email is null
            and lower(trim(attendance.participant_name)) = lower(trim(staff.name))
        )
    group by meetings.occurrence_id
),

final as (
    select
        'on_time' as standard,
        meetings.occurrence_id as opening_key,
        meetings.ae,
        meetings.client_account,
        meetings.start_at as opened_at,
        meetings.start_at + minutes_interval(params.on_time_grace_minutes) as due_at,
        ae_joins.first_join_at as fulfilled_at,
        false as is_excused,
        occurrence_ref(meetings.event_uid, meetings.occurrence_key, meetings.source_file, meetings.record)
            || ' starting ' || local_minute(meetings.start_at, params.business_timezone)
            || '; attendance report ' || array_to_string(reported.report_files, ', ') || ' (matched by '
            || reported.matched_by || ')'
            || coalesce(
                '; AE first joined ' || strftime(timezone(params.business_timezone, ae_joins.first_join_at), '%Y-%m-%d %H:%M:%S')
                    || ' at ' || ae_joins.first_join_ref,
                '; AE not in the report'
            ) as evidence,
        meetings.summary as subject
    from meetings
    cross join params
    inner join reported on reported.occurrence_id = meetings.occurrence_id
    left join ae_joins on ae_joins.occurrence_id = meetings.occurrence_id
    where meetings.start_at <= params.as_of
)

select * from final
