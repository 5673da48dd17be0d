create table if not exists raw_calendar_attendees (
    event_uid       varchar not null,
    occurrence_key  varchar not null,
    email           varchar,   -- lower-cased, mailto: stripped
    name            varchar,
    role            varchar,   -- REQ-PARTICIPANT | OPT-PARTICIPANT | CHAIR | NON-PARTICIPANT
    partstat        varchar,   -- ACCEPTED | DECLINED | TENTATIVE | NEEDS-ACTION | DELEGATED
    cutype          varchar,   -- INDIVIDUAL | ROOM | RESOURCE | GROUP
    source_file     varchar not null,
    record          varchar not null
);
