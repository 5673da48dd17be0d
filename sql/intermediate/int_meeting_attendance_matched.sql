-- Attendance sessions matched to client meetings. A report (one meeting's sessions in one file)
-- matches the occurrence whose online meeting id equals the report's meeting id, else whose
-- normalised summary equals the report's topic, and whose time fits: the report starts between
-- 60 minutes before the scheduled start and the scheduled end (a recurring Zoom meeting keeps
-- one id for every occurrence, so the id alone is not enough). Nearest start wins; each report
-- matches at most one occurrence. One row per session of a matched report, seen by as_of.
with sessions as (
    select * from stg_attendance__sessions
),

meetings as (
    select * from int_client_meetings
),

params as (
    select * from run_params
),

reports as (
    select
        report_id,
        any_value(meeting_id) as meeting_id,
        subject_key(any_value(topic)) as topic_key,
        coalesce(min(meeting_start_at), min(join_at)) as report_start_at
    from sessions
    group by report_id
),

candidates as (
    select
        reports.report_id,
        meetings.occurrence_id,
        case when reports.meeting_id = meetings.online_meeting_id then 1 else 2 end as match_rank,
        case when reports.meeting_id = meetings.online_meeting_id then 'meeting_id' else 'topic_and_time' end
            as matched_by,
        abs(epoch(reports.report_start_at - meetings.start_at)) as seconds_from_start
    from reports
    inner join meetings
        on (
            reports.meeting_id = meetings.online_meeting_id
            or (reports.topic_key is not null and reports.topic_key = meetings.summary_key)
        )
        and reports.report_start_at >= meetings.start_at - to_minutes(60)
        and reports.report_start_at <= meetings.end_at
),

matches as (
    select *
    from candidates
    qualify row_number() over (
        partition by report_id order by match_rank, seconds_from_start, occurrence_id
    ) = 1
),

final as (
    select
        matches.occurrence_id,
        matches.matched_by,
        sessions.report_id,
        sessions.platform,
        sessions.participant_name,
        sessions.participant_email,
        sessions.join_at,
        sessions.leave_at,
        sessions.source_file,
        sessions.record
    from matches
    inner join sessions on sessions.report_id = matches.report_id
    cross join params
    where sessions.join_at is not null and sessions.join_at <= params.as_of
)

select * from final
