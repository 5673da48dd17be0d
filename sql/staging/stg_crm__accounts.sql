-- CRM accounts: one row per account, with its web domain (for client addresses) and whether
-- its type marks it as a customer (Type beginning with one of customer_type_prefixes).
with source as (
    select * from raw_crm_accounts
),

prefixes as (
    select lower(trim(prefix)) as prefix from customer_type_prefixes
),

renamed as (
    select
        trim(account_id) as account_id,
        id_key(account_id) as account_key,
        nullif(trim(name), '') as account_name,
        nullif(trim(account_type), '') as account_type,
        id_key(owner_id) as owner_key,
        nullif(trim(website), '') as website,
        web_domain(website) as web_domain,
        industry,
        annual_revenue,
        coalesce(is_deleted, false) as is_deleted,
        created_at,
        source_file,
        record,
        record_no(record) as record_no
    from source
    where id_key(account_id) is not null
),

deduplicated as (
    select * exclude (record_no)
    from renamed
    qualify row_number() over (partition by account_key order by source_file desc, record_no desc) = 1
),

final as (
    select
        deduplicated.*,
        not deduplicated.is_deleted
            and exists (
                select 1 from prefixes
                where prefixes.prefix <> '' and starts_with(lower(deduplicated.account_type), prefixes.prefix)
            ) as is_customer
    from deduplicated
)

select * from final
