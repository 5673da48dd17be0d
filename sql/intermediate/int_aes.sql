-- The AEs: staff whose role is 'ae' and every owner of an active client account (the handbook
-- addresses whoever owns the client), with name, team and supervisor from the staff directory.
with staff as (
    select * from stg_staff
),

accounts as (
    select * from int_accounts
),

candidates as (
    select email as ae from staff where role = 'ae'
    union
    select owner_email from accounts where is_active_client
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
