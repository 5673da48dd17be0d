-- The business calendar as a table, written by aemetrics.business_calendar for the data's date
-- range (padded by a few weeks each side). SQL reads working days and hours only from here.
create table if not exists business_days (
    day                date primary key,   -- local date in the business time zone
    is_working_day     boolean not null,
    is_weekend         boolean not null,
    is_holiday         boolean not null,   -- official day off (public holiday) on any day
    is_makeup_workday  boolean not null,   -- Saturday/Sunday that is a working day (调休)
    holiday_name       varchar,
    iso_year           integer not null,
    iso_week           integer not null,
    week_start         date not null,      -- Monday of the ISO week
    day_start_at       timestamptz not null,  -- local 00:00 of the day, in UTC
    day_end_at         timestamptz not null,  -- local 24:00 of the day, in UTC ("end of day")
    work_start_at      timestamptz,        -- working interval, null when not a working day
    work_end_at        timestamptz
);
