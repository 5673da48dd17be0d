-- on_time (与客户开会决不迟到): a client meeting that took place and has an attendance report
-- matched to it (int_meeting_attendance_matched); meetings without one are not counted. Due:
-- the scheduled start + on_time_grace_minutes; fulfilled by the AE's first join in the report
-- (by address, else, for a session without an address (Teams lists, Tencent Meeting), by name:
-- the participant's name, or either part of a '昵称(真实姓名)' nickname, equals the staff member's
-- name or one of their meeting_names aliases, compared case-insensitively). An AE absent from the
-- report never joined: missed; the evidence then names the report's participants without an
-- address that matched no staff member.
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

named_sessions as (
    -- who each session is: its address, else the staff member its name matches (lowest address
    -- when two share an alias)
    select
        attendance.*,
        coalesce(
            attendance.participant_email,
            (
                select min(staff.email) from staff
                where list_has_any(staff.meeting_names, participant_name_keys(attendance.participant_name))
            )
        ) as person_email
    from attendance
),

reported as (
    select
        occurrence_id,
        any_value(matched_by) as matched_by,
        list(distinct source_file order by source_file) as report_files,
        list(distinct participant_name order by participant_name)
            filter (where person_email is null and participant_name is not null) as unmatched_names
    from named_sessions
    group by occurrence_id
),

ae_joins as (
    select
        meetings.occurrence_id,
        min(attendance.join_at) as first_join_at,
        arg_min(
            evidence_item(
                'attendance', 'fulfilled_by', attendance.source_file, attendance.record,
                coalesce(attendance.participant_email, attendance.participant_name),
                'AE first joined ' || strftime(timezone(params.business_timezone, attendance.join_at), '%Y-%m-%d %H:%M:%S') || ' as',
                null
            ),
            attendance.join_at
        ) as first_join_item
    from meetings
    cross join params
    inner join named_sessions as attendance on attendance.occurrence_id = meetings.occurrence_id
    where attendance.person_email = meetings.ae
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
        list_concat(
            [evidence_item('calendar', 'opened_by', meetings.source_file, meetings.record, meetings.occurrence_id,
                'meeting', ' starting ' || local_minute(meetings.start_at, params.business_timezone)
                    || '; attendance report ' || array_to_string(reported.report_files, ', ')
                    || ' (matched by ' || reported.matched_by || ')')],
            evidence_items_if(ae_joins.first_join_item)
        ) as evidence_items,
        case when ae_joins.first_join_item is null then 'AE not in the report' || coalesce(
            ' (names matching no staff member: ' || nullif(array_to_string(reported.unmatched_names, ', '), '') || ')', '')
        end as evidence_tail,
        meetings.summary as subject
    from meetings
    cross join params
    inner join reported on reported.occurrence_id = meetings.occurrence_id
    left join ae_joins on ae_joins.occurrence_id = meetings.occurrence_id
    where meetings.start_at <= params.as_of
)

select * from final
