-- The people of the clock-in exports (work_on_time), each matched to a staff member: by the staff
-- directory's dingtalk_userid (DingTalk UserId), else its employee_no (工号), else the exact name
-- (trimmed; a name two staff members share matches nobody), and canonical attendance_clock rows
-- by e-mail (STANDARDS.md, work_on_time). One row per exported person (person_key); staff_email
-- null: unmatched, reported by run_notes ('clock_unmatched'), never dropped silently.
with punches as (
    select * from stg_clock__punches
),

staff as (
    select * from stg_staff
),

directory as (
    -- the directory's keys (raw_staff: the row stg_staff kept for each address)
    select
        staff.email,
        staff.name,
        nullif(trim(raw_staff.dingtalk_userid), '') as dingtalk_userid,
        nullif(trim(raw_staff.employee_no), '') as employee_no
    from staff
    inner join raw_staff
        on raw_staff.source_file = staff.source_file
        and raw_staff.record = staff.record
    where staff.staff_source = 'staff_directory'
),

unique_names as (
    select trim(name) as name, any_value(email) as email
    from staff
    where nullif(trim(name), '') is not null
    group by trim(name)
    having count(distinct email) = 1
),

people as (
    select
        person_key,
        any_value(platform) as platform,
        any_value(person_name) as person_name,
        any_value(userid) as userid,
        any_value(employee_no) as employee_no,
        any_value(email) as email,
        count(*) as punches,
        arg_min(source_file, source_file || lpad(cast(coalesce(record_no, 0) as varchar), 10, '0')) as source_file,
        arg_min(record, source_file || lpad(cast(coalesce(record_no, 0) as varchar), 10, '0')) as record
    from punches
    group by person_key
),

by_userid as (
    select people.person_key, any_value(directory.email) as email
    from people
    inner join directory on directory.dingtalk_userid = people.userid
    group by people.person_key
    having count(distinct directory.email) = 1
),

by_employee_no as (
    select people.person_key, any_value(directory.email) as email
    from people
    inner join directory on directory.employee_no = people.employee_no
    group by people.person_key
    having count(distinct directory.email) = 1
),

final as (
    select
        people.*,
        coalesce(
            by_userid.email,
            by_employee_no.email,
            case when people.email in (select email from staff) then people.email end,
            unique_names.email
        ) as staff_email,
        case
            when by_userid.email is not null then 'dingtalk_userid'
            when by_employee_no.email is not null then 'employee_no'
            when people.email in (select email from staff) then 'email'
            when unique_names.email is not null then 'name'
        end as match_method
    from people
    left join by_userid on by_userid.person_key = people.person_key
    left join by_employee_no on by_employee_no.person_key = people.person_key
    left join unique_names on unique_names.name = people.person_name and people.email is null
)

select * from final
