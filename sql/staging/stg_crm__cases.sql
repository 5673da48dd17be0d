-- Client requests (work_order, same_day_close): one row per request. Salesforce Case rows
-- (raw_crm_cases) and canonical activities of type Request (raw_crm_activities) mapped to the same
-- meaning: raised at (Case CreatedDate; canonical activity_at), logged at (CreatedDate; canonical
-- created_at, else activity_at), closed at (Case ClosedDate; canonical closed_at). Ids as keys
-- (id_key: 15- and 18-character forms meet); the account is AccountId, else the ContactId's account.
-- is_internal: Origin is one of internal_request_origins (identity_lists; default Internal, 内部):
-- an internal request is not a job the client started. Deleted rows (IsDeleted) are dropped here.
-- Duplicates (the same id in several files or rows): the last file, then the last row wins.
with cases as (
    select * from raw_crm_cases
),

activities as (
    select * from raw_crm_activities
),

contacts as (
    select * from stg_crm__contacts
),

internal_origins as (
    select value as origin from identity_lists where kind = 'internal_request_origin'
),

salesforce as (
    select
        trim(case_id) as request_id,
        id_key(case_id) as request_key,
        nullif(trim(case_number), '') as request_number,
        id_key(account_id) as account_key,
        id_key(contact_id) as contact_key,
        nullif(trim(origin), '') as origin,
        nullif(trim(status), '') as status,
        nullif(trim(subject), '') as subject,
        created_at as opened_at,
        created_at as logged_at,
        closed_at,
        coalesce(is_deleted, false) as is_deleted,
        'crm_case' as evidence_kind,
        source_file,
        record,
        record_no(record) as record_no
    from cases
    where id_key(case_id) is not null
),

canonical as (
    select
        trim(activity_id) as request_id,
        id_key(activity_id) as request_key,
        null as request_number,
        id_key(account_id) as account_key,
        id_key(who_id) as contact_key,
        null as origin,
        nullif(trim(status), '') as status,
        nullif(trim(subject), '') as subject,
        activity_at as opened_at,
        coalesce(created_at, activity_at) as logged_at,
        closed_at,
        coalesce(is_deleted, false) as is_deleted,
        'crm' as evidence_kind,
        source_file,
        record,
        record_no(record) as record_no
    from activities
    where object_type = 'canonical' and lower(trim(activity_type)) = 'request' and id_key(activity_id) is not null
),

unioned as (
    select * from salesforce
    union all by name
    select * from canonical
),

deduplicated as (
    select * exclude (record_no)
    from unioned
    qualify row_number() over (partition by request_key order by source_file desc, record_no desc) = 1
),

final as (
    select
        deduplicated.* exclude (account_key),
        coalesce(deduplicated.account_key, contacts.account_key) as account_key,
        coalesce(
            lower(regexp_replace(trim(deduplicated.origin), '\s+', ' ', 'g')) in (select origin from internal_origins),
            false
        ) as is_internal
    from deduplicated
    left join contacts on contacts.contact_key = deduplicated.contact_key and not contacts.is_deleted
    where not deduplicated.is_deleted
)

select * from final
