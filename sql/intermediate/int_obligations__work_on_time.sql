-- work_on_time (准时上班,准时参加会议 — "on time for work and for meetings"; 一、什么是 AE): each
-- working day an AE has a clock record (DingTalk 考勤报表, canonical attendance_clock), clock-in at or
-- before the start of working hours. Opened at the day's work_start (business calendar, our
-- working hours: never the export's own 考勤时间 or 打卡结果), due work_start +
-- work_on_time_grace_minutes (default 0). Fulfilled by the day's clock-in: the earliest 上班 punch
-- with a time (a field punch 外勤 counts at its time, an approved correction 补卡 at the corrected
-- time the export holds); when the day's punches carry no 上班/下班 type, its earliest punch.
-- Later: late; no clock-in on a day with other punches (缺卡): missed; a leave row that day
-- (请假, 休假, 调休假, 事假, ...): excused, unless the clock-in was on time anyway. People are matched
-- to staff by int_clock_people (dingtalk_userid, else 工号, else exact name; e-mail for canonical
-- files); only AEs (int_aes) are measured; days off (weekends, holidays) open nothing, make-up
-- working Saturdays/Sundays (调休) do. Punches after as_of are not seen.
with punches as (
    select * from stg_clock__punches
),

people as (
    select * from int_clock_people where staff_email is not null
),

aes as (
    select * from int_aes
),

business_days as (
    select * from business_days
),

params as (
    select * from run_params
),

seen as (
    -- the AE's punches that exist as of as_of (a row without a time is dated by its day)
    select
        aes.ae,
        punches.*
    from punches
    cross join params
    inner join people on people.person_key = punches.person_key
    inner join aes on aes.ae = people.staff_email
    where punches.clock_at is null or punches.clock_at <= params.as_of
),

days as (
    select
        seen.ae,
        seen.work_date,
        bool_or(seen.punch_type is not null) as has_typed_punch,
        min(seen.clock_at) filter (where seen.punch_type = '上班') as typed_clock_in_at,
        min(seen.clock_at) as first_punch_at,
        arg_min(seen.leave_type, seen.record_no) filter (where seen.leave_type is not null) as leave_type,
        -- the day's first record (evidence of the day's existence: a 缺卡 or leave row included)
        arg_min(
            evidence_item('clock', 'opened_by', seen.source_file, seen.record, coalesce(seen.person_name, seen.email),
                'clock record of', coalesce(' (' || seen.result || ')', '')),
            seen.source_file || lpad(cast(coalesce(seen.record_no, 0) as varchar), 10, '0')
        ) as first_record
    from seen
    group by seen.ae, seen.work_date
),

clock_ins as (
    select
        days.*,
        case when days.has_typed_punch then days.typed_clock_in_at else days.first_punch_at end as clock_in_at
    from days
),

clock_in_rows as (
    -- the punch that is the clock-in, for evidence
    select
        clock_ins.ae,
        clock_ins.work_date,
        arg_min(
            evidence_item('clock', 'fulfilled_by', seen.source_file, seen.record, coalesce(seen.person_name, seen.email),
                'clock-in by',
                ' at ' || strftime(timezone(params.business_timezone, seen.clock_at), '%H:%M')
                    || case when seen.is_field then ' (外勤 field punch)' else '' end
                    || case when seen.is_correction then ' (补卡 approved correction)' else '' end),
            seen.record_no
        ) as item
    from clock_ins
    cross join params
    inner join seen
        on seen.ae = clock_ins.ae
        and seen.work_date = clock_ins.work_date
        and seen.clock_at = clock_ins.clock_in_at
    group by clock_ins.ae, clock_ins.work_date
),

scheduled as (
    select
        clock_ins.*,
        business_days.work_start_at as opened_at,
        business_days.work_start_at + minutes_interval(params.work_on_time_grace_minutes) as due_at,
        business_days.is_makeup_workday
    from clock_ins
    cross join params
    inner join business_days on business_days.day = clock_ins.work_date
    where business_days.is_working_day
),

final as (
    select
        'work_on_time' as standard,
        scheduled.ae || '|' || cast(scheduled.work_date as varchar) as opening_key,
        scheduled.ae,
        cast(null as varchar) as client_account,
        scheduled.opened_at,
        scheduled.due_at,
        scheduled.clock_in_at as fulfilled_at,
        scheduled.leave_type is not null
            and (scheduled.clock_in_at is null or scheduled.clock_in_at > scheduled.due_at) as is_excused,
        'working day ' || cast(scheduled.work_date as varchar)
            || case when scheduled.is_makeup_workday then ' (make-up working day 调休)' else '' end
            || ', work starts ' || local_minute(scheduled.opened_at, params.business_timezone)
            as evidence_head,
        case
            when clock_in_rows.item.source_file is not null then [clock_in_rows.item]
            else [scheduled.first_record]
        end as evidence_items,
        case
            when scheduled.leave_type is not null then 'leave: ' || scheduled.leave_type
            when scheduled.clock_in_at is null then 'no clock-in that day (缺卡)'
        end as evidence_tail,
        'work ' || cast(scheduled.work_date as varchar) as subject
    from scheduled
    cross join params
    left join clock_in_rows
        on clock_in_rows.ae = scheduled.ae
        and clock_in_rows.work_date = scheduled.work_date
)

select * from final
