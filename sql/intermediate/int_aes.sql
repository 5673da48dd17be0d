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
        staff.email is not null as is_staff
    from candidates
    left join staff on staff.email = candidates.ae
    where candidates.ae is not null
)

select * from final
