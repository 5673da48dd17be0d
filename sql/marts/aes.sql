-- One row per AE: the directory's AEs and account owners, and anyone accountable for an obligation.
-- Someone accountable but not in the staff directory (an AE who left and still owns accounts in
-- the CRM) keeps the CRM user's name, so the dashboards can name them.
with aes as (
    select * from int_aes
),

obligations as (
    select distinct ae from obligations where ae is not null
),

staff as (
    select * from stg_staff
),

crm_users as (
    select email, any_value(name) as name from stg_crm__users where email is not null group by email
),

everyone as (
    select ae from aes
    union
    select ae from obligations
),

final as (
    select
        everyone.ae,
        coalesce(staff.name, crm_users.name) as name,
        staff.team,
        staff.supervisor_email
    from everyone
    left join staff on staff.email = everyone.ae
    left join crm_users on crm_users.email = everyone.ae
    order by everyone.ae
)

select * from final
