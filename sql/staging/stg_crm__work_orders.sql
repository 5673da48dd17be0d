-- Work orders (work_order, estimate_first, same_day_close): one row per work order. Salesforce
-- WorkOrder rows (raw_crm_work_orders) and canonical activities of type WorkOrder mapped to the
-- same meaning: created at (CreatedDate; canonical activity_at), logged at (CreatedDate; canonical
-- created_at, else activity_at), the request it serves (CaseId; canonical what_id), its account
-- (AccountId, else the request's account), closed at. Closed (STANDARDS.md, same_day_close): a
-- Salesforce work order whose Status is Completed or Closed (已完成, 已关闭), at its EndDate, else at
-- its LastModifiedDate (approximate: the last change of any kind; docs/decisions.md); another
-- Status (New, In Progress, On Hold, Canceled, Cannot Complete) is not closed, whatever EndDate
-- says (EndDate is often the planned end). Canonical: closed_at. Deleted rows are dropped.
with work_orders as (
    select * from raw_crm_work_orders
),

activities as (
    select * from raw_crm_activities
),

requests as (
    select * from stg_crm__cases
),

salesforce as (
    select
        trim(work_order_id) as work_order_id,
        id_key(work_order_id) as work_order_key,
        nullif(trim(work_order_number), '') as work_order_number,
        id_key(case_id) as request_key,
        id_key(account_id) as account_key,
        nullif(trim(status), '') as status,
        nullif(trim(subject), '') as subject,
        created_at,
        created_at as logged_at,
        case
            when lower(trim(status)) in ('completed', 'closed', '已完成', '已关闭', '完成', '关闭')
                then coalesce(end_at, last_modified_at)
        end as closed_at,
        case
            when lower(trim(status)) in ('completed', 'closed', '已完成', '已关闭', '完成', '关闭')
                then case when end_at is not null then 'EndDate' else 'LastModifiedDate' end
        end as closed_by_field,
        coalesce(is_deleted, false) as is_deleted,
        'crm_work_order' as evidence_kind,
        source_file,
        record,
        record_no(record) as record_no
    from work_orders
    where id_key(work_order_id) is not null
),

canonical as (
    select
        trim(activity_id) as work_order_id,
        id_key(activity_id) as work_order_key,
        null as work_order_number,
        id_key(what_id) as request_key,
        id_key(account_id) as account_key,
        nullif(trim(status), '') as status,
        nullif(trim(subject), '') as subject,
        activity_at as created_at,
        coalesce(created_at, activity_at) as logged_at,
        closed_at,
        case when closed_at is not null then 'closed_at' end as closed_by_field,
        coalesce(is_deleted, false) as is_deleted,
        'crm' as evidence_kind,
        source_file,
        record,
        record_no(record) as record_no
    from activities
    where object_type = 'canonical' and lower(trim(activity_type)) in ('workorder', 'work order', 'work_order')
        and id_key(activity_id) is not null
),

unioned as (
    select * from salesforce
    union all by name
    select * from canonical
),

deduplicated as (
    select * exclude (record_no)
    from unioned
    qualify row_number() over (partition by work_order_key order by source_file desc, record_no desc) = 1
),

final as (
    select
        deduplicated.* exclude (account_key),
        coalesce(deduplicated.account_key, requests.account_key) as account_key
    from deduplicated
    left join requests on requests.request_key = deduplicated.request_key
    where not deduplicated.is_deleted
)

select * from final
