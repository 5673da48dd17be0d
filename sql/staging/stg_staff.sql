-- Staff: the staff directory (staff.csv) when one was exported; otherwise the CRM users, with
-- the manager as supervisor. A person without a role (CRM users; directory rows with the role
-- left empty) is an 'ae' when a customer account is theirs in the CRM, else 'staff'. This is
-- the one staging model that joins: it builds one entity from whichever source the agency has
-- (docs/decisions.md, "Who is staff, who is an AE").
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
        'staff_directory' as staff_source,
        source_file,
        record
    from directory_source
    where email_key(email) is not null
    qualify row_number() over (
        partition by email_key(email) order by source_file, record_no(record)
    ) = 1
),

customer_owners as (
    select distinct owner_key
    from crm_accounts
    where is_customer
),

from_crm as (
    select
        users.email,
        users.name,
        case when customer_owners.owner_key is not null then 'ae' else 'staff' end as role,
        cast(null as varchar) as team,
        managers.email as supervisor_email,
        'crm_users' as staff_source,
        users.source_file,
        users.record
    from crm_users as users
    left join crm_users as managers on managers.user_key = users.manager_key
    left join customer_owners on customer_owners.owner_key = users.user_key
    where users.email is not null
    qualify row_number() over (partition by users.email order by users.source_file, users.user_key) = 1
),

final as (
    select * from from_directory
    union all
    select * from from_crm
    where not exists (select 1 from from_directory)
)

select * from final
