-- One row per AE: the directory's AEs and account owners, and anyone accountable for an obligation.
-- Someone accountable but not in the staff directory (an AE who left and still owns accounts in
-- the CRM) keeps the CRM user's name, so the dashboards can name them.
-- has_left: the person left: their CRM user is inactive (User.IsActive false), or a staff
-- directory was loaded and does not list them. They stay in the marts (their accounts'
-- obligations stay visible) but are kept out of rankings and team medians (ae_scorecard);
-- is_active is its negation.
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
    select email, any_value(name) as name, bool_and(not is_active) as is_inactive
    from stg_crm__users
    where email is not null
    group by email
),

directory as (
    select email from stg_staff where staff_source = 'staff_directory'
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
        staff.supervisor_email,
        coalesce(crm_users.is_inactive, false)
            or ((select count(*) from directory) > 0 and everyone.ae not in (select email from directory))
            as has_left,
        not (  -- noqa: LT01,LT06
            coalesce(crm_users.is_inactive, false)
            or ((select count(*) from directory) > 0 and everyone.ae not in (select email from directory))
        ) as is_active
    from everyone
    left join staff on staff.email = everyone.ae
    left join crm_users on crm_users.email = everyone.ae
    order by everyone.ae
)

select * from final
