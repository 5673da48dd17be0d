-- CRM users (Salesforce User, canonical users): one row per user. user_key joins 15- and
-- 18-character Salesforce ids; a later file wins when the same user is exported twice.
with source as (
    select * from raw_crm_users
),

renamed as (
    select
        trim(user_id) as user_id,
        id_key(user_id) as user_key,
        email_key(email) as email,
        nullif(trim(name), '') as name,
        id_key(manager_id) as manager_key,
        coalesce(is_active, true) as is_active,
        source_file,
        record,
        record_no(record) as record_no
    from source
    where id_key(user_id) is not null
),

final as (
    select * exclude (record_no)
    from renamed
    qualify row_number() over (partition by user_key order by source_file desc, record_no desc) = 1
)

select * from final
