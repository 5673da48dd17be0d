-- What the run's reader must be told in words (site index, run summary): one row per note.
-- no_ae: the staff yield no AE at all (no role matches the configured AE roles and no one owns a
-- client account), so the weekly standards have no obligations; said, never silent.
-- clock_unmatched: people of the clock-in exports who match no staff member (int_clock_people:
-- directory dingtalk_userid, else employee_no, else exact name): their days are not measured.
with staff as (
    select * from stg_staff
),

aes as (
    select * from int_aes
),

roles as (
    select string_agg(value, ', ' order by ordinal) as role_list from identity_lists where kind = 'ae_role'
),

sources as (
    select
        string_agg(distinct source_file, ', ' order by source_file) filter (where staff_source = 'staff_directory')
            as directory_files,
        string_agg(distinct source_file, ', ' order by source_file) filter (where staff_source = 'crm_users')
            as crm_files
    from staff
),

no_ae as (
    select
        'no_ae' as note_kind,
        case
            when sources.directory_files is not null then
                'The staff directory ' || sources.directory_files || ' names no AE: no role matches '
                    || coalesce(roles.role_list, '(no AE roles configured)')
                    || ' and no one owns a client account; weekly standards have no obligations'
            when sources.crm_files is not null then
                'The CRM users (' || sources.crm_files || ') name no AE: no staff directory was exported and no one '
                    || 'owns a client account; weekly standards have no obligations'
            else 'No staff directory and no CRM users were exported: there is no AE; weekly standards have no obligations'
        end as message
    from sources
    cross join roles
    where not exists (select 1 from aes)
),

clock_unmatched as (
    select
        'clock_unmatched' as note_kind,
        'People in the clock-in exports who match no staff member (staff.csv dingtalk_userid, employee_no or '
            || 'exact name), ' || count(*) || ', are not measured for work_on_time: '
            || string_agg(
                coalesce(person_name, email, userid, employee_no)
                    || coalesce(' (UserId ' || userid || ')', '') || coalesce(' (工号 ' || employee_no || ')', '')
                    || ' in ' || source_file || ' (' || record || ')',
                '; ' order by person_key
            ) as message
    from int_clock_people
    where staff_email is null
    having count(*) > 0
),

final as (
    select * from no_ae
    union all
    select * from clock_unmatched
)

select * from final
