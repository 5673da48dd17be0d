-- CRM accounts: one row per account, with its web domain (for client addresses) and whether
-- its type marks it as a customer (Type beginning with one of customer_type_prefixes) or as a
-- vendor, partner or media owner (is_non_client: the type, or one of its words, begins with one
-- of the non_client_account_type values, case-insensitive: 'Vendor - Print', 'Technology
-- Partner', '媒体'). Customer wins over non-client; a non-client account's contacts and domain
-- make nobody a client (int_identities).
with source as (
    select * from raw_crm_accounts
),

prefixes as (
    select lower(trim(prefix)) as prefix from customer_type_prefixes
),

non_client_types as (
    select regexp_replace(value, '[^a-z0-9\x{4e00}-\x{9fff}]+', ' ', 'g') as type_word
    from identity_lists
    where kind = 'non_client_account_type' and trim(value) <> ''
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

typed as (
    select
        deduplicated.*,
        not deduplicated.is_deleted
            and exists (
                select 1 from prefixes
                where prefixes.prefix <> '' and starts_with(lower(deduplicated.account_type), prefixes.prefix)
            ) as is_customer,
        ' ' || regexp_replace(lower(coalesce(deduplicated.account_type, '')), '[^a-z0-9\x{4e00}-\x{9fff}]+', ' ', 'g')
            as type_words
    from deduplicated
),

final as (
    select
        typed.* exclude (type_words),
        not typed.is_customer
            and exists (
                select 1 from non_client_types
                where trim(non_client_types.type_word) <> ''
                    and (
                        starts_with(lower(trim(typed.account_type)), trim(non_client_types.type_word))
                        or contains(typed.type_words, ' ' || trim(non_client_types.type_word))
                    )
            ) as is_non_client
    from typed
)

select * from final
