create table if not exists raw_staff (
    email            varchar,   -- lower-cased
    name             varchar,
    role             varchar,   -- ae | supervisor | ... (lower-cased)
    team             varchar,
    supervisor_email varchar,   -- lower-cased
    source_file      varchar not null,
    record           varchar not null   -- 'line N' (1-based physical line of the CSV)
);
