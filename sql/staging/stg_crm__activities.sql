-- CRM activities (Salesforce Task/Event, canonical): one row per activity, with the flags the
-- standards need. A call is an activity whose type says so or that carries a CallType; a call
-- with no direction is taken as made by the agency (logged calls are the AE's own calls).
-- Activities still to do (Not Started, Open, In Progress, ...) are plans, not evidence.
-- call_direction is also an e-mail's stated direction (canonical call_type, Direction, Incoming);
-- an e-mail with a direction is not a call. email_from: the sender a Task's Description names.
with source as (
    select * from raw_crm_activities
),

renamed as (
    select
        trim(activity_id) as activity_id,
        id_key(activity_id) as activity_key,
        object_type,
        nullif(trim(activity_type), '') as activity_type,
        nullif(lower(trim(call_type)), '') as call_direction,
        nullif(trim(subject), '') as subject,
        subject_key(subject) as subject_key,
        nullif(lower(trim(status)), '') as status,
        id_key(who_id) as who_key,
        id_key(what_id) as what_key,
        id_key(account_id) as account_key,
        id_key(owner_id) as owner_key,
        activity_at,
        created_at,
        email_key(email_from) as email_from,
        coalesce(is_deleted, false) as is_deleted,
        source_file,
        record,
        record_no(record) as record_no
    from source
    where id_key(activity_id) is not null
),

deduplicated as (
    select * exclude (record_no)
    from renamed
    qualify row_number() over (partition by activity_key order by source_file desc, record_no desc) = 1
),

final as (
    select
        *,
        (
            lower(coalesce(activity_type, '')) in ('call', 'phone', 'phone call', 'calls', '电话', '通话', '致电')
            or (
                call_direction in ('inbound', 'outbound')
                and lower(coalesce(activity_type, '')) not in ('email', 'e-mail', 'mail', '邮件', 'list email')
            )
        ) as is_call,
        coalesce(status, '') not in (
            'not started', 'open', 'in progress', 'waiting on someone else', 'deferred', 'planned',
            '未开始', '进行中', '计划'
        ) as is_done
    from deduplicated
)

select * from final
