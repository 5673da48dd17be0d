-- CRM contacts: one row per contact (the people at client accounts).
with source as (
    select * from raw_crm_contacts
),

renamed as (
    select
        trim(contact_id) as contact_id,
        id_key(contact_id) as contact_key,
        id_key(account_id) as account_key,
        email_key(email) as email,
        nullif(trim(name), '') as contact_name,
        coalesce(is_deleted, false) as is_deleted,
        source_file,
        record,
        record_no(record) as record_no
    from source
    where id_key(contact_id) is not null
),

final as (
    select * exclude (record_no)
    from renamed
    qualify row_number() over (partition by contact_key order by source_file desc, record_no desc) = 1
)

select * from final
