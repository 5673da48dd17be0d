-- The AEs: staff whose role says account executive (a configured AE role; owners of client
-- accounts when the role is unknown or empty, see stg_staff.is_ae), with name, team and supervisor.
with staff as (
    select * from stg_staff
),

candidates as (
    select email as ae from staff where is_ae
),

final as (
    select
        candidates.ae,
        staff.name,
        staff.team,
        staff.supervisor_email,
        staff.email is not null as is_staff,
        -- the row that makes them staff, for evidence: staff directory or CRM users export
        case staff.staff_source when 'staff_directory' then 'staff' when 'crm_users' then 'crm_user' end as staff_kind,
        staff.source_file,
        staff.record
    from candidates
    left join staff on staff.email = candidates.ae
    where candidates.ae is not null
)

select * from final
