-- Staff: the staff directory (staff.csv) when one was exported; otherwise the CRM users, with
-- the manager as supervisor. is_ae: the role is one of the configured AE roles (identity_lists
-- 'ae_role': AE, account manager, 客户经理, 客户主任, ... compared case-insensitively, white space
-- collapsed), or the role is unknown (CRM users; directory rows with the role left empty) and a
-- client account (customer type, not deleted, created by as_of) is theirs in the CRM. This is
-- the one staging model that joins: it builds one entity from whichever source the agency has
-- (docs/decisions.md, "Who is who").
with directory_source as (
    select * from raw_staff
),

crm_users as (
    select * from stg_crm__users
),

crm_accounts as (
    select * from stg_crm__accounts
),

from_directory as (
    select
        email_key(email) as email,
        nullif(trim(name), '') as name,
        nullif(lower(trim(role)), '') as role,
        nullif(trim(team), '') as team,
        email_key(supervisor_email) as supervisor_email,
        meeting_name_list(name, meeting_names) as meeting_names,
        'staff_directory' as staff_source,
        source_file,
        record
    from directory_source
    where email_key(email) is not null
    qualify row_number() over (
        partition by email_key(email) order by source_file, record_no(record)
    ) = 1
),

params as (
    select * from run_params
),

ae_roles as (
    select value as role from identity_lists where kind = 'ae_role' and value <> ''
),

customer_owners as (
    -- owners of client accounts, by CRM user id and by address
    select distinct
        crm_accounts.owner_key,
        coalesce(users.email, case when crm_accounts.owner_key like '%@%' then email_key(crm_accounts.owner_key) end)
            as owner_email
    from crm_accounts
    cross join params
    left join crm_users as users on users.user_key = crm_accounts.owner_key
    where crm_accounts.is_customer
        and (crm_accounts.created_at is null or crm_accounts.created_at <= params.as_of)
),

from_crm as (
    select
        users.email,
        users.name,
        case when customer_owners.owner_key is not null then 'ae' else 'staff' end as role,
        cast(null as varchar) as team,
        managers.email as supervisor_email,
        meeting_name_list(users.name, null) as meeting_names,
        'crm_users' as staff_source,
        users.source_file,
        users.record
    from crm_users as users
    left join crm_users as managers on managers.user_key = users.manager_key
    left join customer_owners on customer_owners.owner_key = users.user_key
    where users.email is not null
    qualify row_number() over (partition by users.email order by users.source_file, users.user_key) = 1
),

combined as (
    select * from from_directory
    union all
    select * from from_crm
    where not exists (select 1 from from_directory)
),

final as (
    select
        combined.*,
        regexp_replace(coalesce(combined.role, ''), '\s+', ' ', 'g') in (select role from ae_roles)
            or (
                (combined.role is null or combined.staff_source = 'crm_users')
                and combined.email in (select owner_email from customer_owners where owner_email is not null)
            ) as is_ae
    from combined
)

select * from final
