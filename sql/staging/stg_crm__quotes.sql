-- Cost estimates (estimate_first): one row per quote. Salesforce Quote rows (raw_crm_quotes) and
-- canonical activities of type Estimate mapped to the same meaning: created at (CreatedDate;
-- canonical activity_at), logged at (CreatedDate; canonical created_at, else activity_at), the work
-- order it names (canonical what_id; a Salesforce Quote names none), its account (AccountId, else
-- the account of its OpportunityId in raw_crm_opportunities). is_rejected: Status Rejected or
-- Denied (已拒绝, 驳回): such a quote is no estimate. Deleted rows are dropped.
with quotes as (
    select * from raw_crm_quotes
),

activities as (
    select * from raw_crm_activities
),

opportunities as (
    select id_key(opportunity_id) as opportunity_key, id_key(account_id) as account_key
    from raw_crm_opportunities
    where not coalesce(is_deleted, false) and id_key(account_id) is not null
    qualify row_number() over (
        partition by id_key(opportunity_id) order by source_file desc, record_no(record) desc
    ) = 1
),

salesforce as (
    select
        trim(quote_id) as quote_id,
        id_key(quote_id) as quote_key,
        coalesce(nullif(trim(quote_number), ''), nullif(trim(name), '')) as quote_name,
        id_key(opportunity_id) as opportunity_key,
        null as work_order_key,
        id_key(account_id) as account_key,
        nullif(trim(status), '') as status,
        created_at,
        created_at as logged_at,
        coalesce(is_deleted, false) as is_deleted,
        'crm_quote' as evidence_kind,
        source_file,
        record,
        record_no(record) as record_no
    from quotes
    where id_key(quote_id) is not null
),

canonical as (
    select
        trim(activity_id) as quote_id,
        id_key(activity_id) as quote_key,
        nullif(trim(subject), '') as quote_name,
        null as opportunity_key,
        id_key(what_id) as work_order_key,
        id_key(account_id) as account_key,
        nullif(trim(status), '') as status,
        activity_at as created_at,
        coalesce(created_at, activity_at) as logged_at,
        coalesce(is_deleted, false) as is_deleted,
        'crm' as evidence_kind,
        source_file,
        record,
        record_no(record) as record_no
    from activities
    where object_type = 'canonical' and lower(trim(activity_type)) = 'estimate' and id_key(activity_id) is not null
),

unioned as (
    select * from salesforce
    union all by name
    select * from canonical
),

deduplicated as (
    select * exclude (record_no)
    from unioned
    qualify row_number() over (partition by quote_key order by source_file desc, record_no desc) = 1
),

final as (
    select
        deduplicated.* exclude (account_key),
        coalesce(deduplicated.account_key, opportunities.account_key) as account_key,
        coalesce(lower(trim(deduplicated.status)) in ('rejected', 'denied', '已拒绝', '拒绝', '驳回'), false)
            as is_rejected
    from deduplicated
    left join opportunities on opportunities.opportunity_key = deduplicated.opportunity_key
    where not deduplicated.is_deleted
)

select * from final
