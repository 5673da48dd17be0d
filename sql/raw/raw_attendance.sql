-- One row per join/leave session of a participant in an online meeting report.
create table if not exists raw_attendance (
    platform           varchar not null,  -- zoom | teams | tencent | feishu
    meeting_id         varchar,           -- digits only, when the report names it
    topic              varchar,
    meeting_start_at   timestamptz,
    meeting_end_at     timestamptz,
    organizer_email    varchar,
    participant_name   varchar,
    participant_email  varchar,           -- lower-cased
    join_at            timestamptz,
    leave_at           timestamptz,
    duration_minutes   double,
    role               varchar,           -- Organizer | Presenter | Attendee, when given
    source_file        varchar not null,
    record             varchar not null   -- 'line N' (CSV) or 'row N (sheet)' (xlsx)
);
