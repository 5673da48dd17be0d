-- One row per occurrence (recurring events expanded, EXDATE removed, RECURRENCE-ID applied);
-- an event without a usable start has one row without start_at (and is listed in quarantine).
create table if not exists raw_calendar_events (
    event_uid         varchar not null,
    occurrence_key    varchar not null, -- UTC ISO start of the occurrence as scheduled by the series (recurrence id), or the start for single events; '' for an event without a usable start
    start_at          timestamptz,       -- null only for an event without a usable DTSTART (also listed in quarantine)
    end_at            timestamptz,
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
-- warehouses created before start_at could be null
alter table raw_calendar_events alter column start_at drop not null;
alter table raw_calendar_events alter column end_at drop not null;
