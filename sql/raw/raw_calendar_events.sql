-- One row per occurrence (recurring events expanded, EXDATE removed, RECURRENCE-ID applied).
create table if not exists raw_calendar_events (
    event_uid         varchar not null,
    occurrence_key    varchar not null, -- UTC ISO start of the occurrence as scheduled by the series (recurrence id), or the start for single events
    start_at          timestamptz not null,
    end_at            timestamptz not null,
    is_all_day        boolean not null,
    is_recurring      boolean not null,  -- part of an RRULE/RDATE series
    is_override       boolean not null,  -- changed by a RECURRENCE-ID component
    summary           varchar,
    status            varchar,           -- CONFIRMED | TENTATIVE | CANCELLED | null (upper-case)
    organizer_email   varchar,           -- lower-cased, mailto: stripped
    organizer_name    varchar,
    location          varchar,
    description       varchar,           -- kept: meeting links and ids live here
    online_meeting_id varchar,           -- digits only, from a Zoom/Teams link or 'Meeting ID: 812 3456 7890'
    created_at        timestamptz,
    dtstamp_at        timestamptz,
    last_modified_at  timestamptz,
    sequence          integer,
    tzid              varchar,           -- the event's TZID as written (Windows names included)
    source_file       varchar not null,
    record            varchar not null   -- 'VEVENT N' (1-based, in file order)
);
