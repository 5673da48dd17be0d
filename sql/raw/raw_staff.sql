create table if not exists raw_staff (
    email            varchar,   -- lower-cased
    name             varchar,
    role             varchar,   -- ae | supervisor | ... (lower-cased)
    team             varchar,
    supervisor_email varchar,   -- lower-cased
    meeting_names    varchar,   -- other names in meeting reports, separated by ; , ， ； 、 or |
    source_file      varchar not null,
    record           varchar not null   -- 'line N' (1-based physical line of the CSV)
);
-- Directory keys for attendance exports (work_on_time): DingTalk UserId and 工号.
alter table raw_staff add column if not exists dingtalk_userid varchar;
alter table raw_staff add column if not exists employee_no varchar;
-- warehouses created before meeting_names existed
alter table raw_staff add column if not exists meeting_names varchar;
