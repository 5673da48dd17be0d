-- What the run's reader must be told in words (site index, run summary): one row per note.
-- no_ae: the staff yield no AE at all (no role matches the configured AE roles and no one owns a
-- client account), so the weekly standards have no obligations; said, never silent.
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

final as (
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
)

select * from final
