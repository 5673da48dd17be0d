-- Clock-in records (work_on_time): one row per exported punch of raw_clock_ins (DingTalk 考勤报表
-- 原始记录 / 打卡时间, canonical attendance_clock), with the person as exported (姓名, UserId, 工号,
-- e-mail) and a person_key that names that exported person: the UserId, else the 工号, else the
-- e-mail, else the name. A punch without a time is a 缺卡 or leave row (clock_at null).
with source as (
    select * from raw_clock_ins
),

final as (
    select
        platform,
        nullif(trim(person_name), '') as person_name,
        nullif(trim(userid), '') as userid,
        nullif(trim(employee_no), '') as employee_no,
        email_key(email) as email,
        coalesce(
            'userid ' || nullif(trim(userid), ''),
            '工号 ' || nullif(trim(employee_no), ''),
            'email ' || email_key(email),
            'name ' || nullif(trim(person_name), '')
        ) as person_key,
        work_date,
        clock_at,
        nullif(trim(punch_type), '') as punch_type,
        nullif(trim(result), '') as result,
        coalesce(is_field, false) as is_field,
        coalesce(is_correction, false) as is_correction,
        nullif(trim(leave_type), '') as leave_type,
        source_file,
        record,
        record_no(record) as record_no,
        -- the punches of one record (the 打卡时间 sheet: one per time of the day), earliest first
        row_number() over (partition by source_file, record order by clock_at nulls last) as punch_no
    from source
)

select * from final
