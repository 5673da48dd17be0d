-- CRM activities (Salesforce Task/Event, canonical): one row per activity, with the flags the
-- standards need. A call is an activity whose type says so or that carries a CallType; a call
-- with no direction is taken as made by the agency (logged calls are the AE's own calls).
-- Activities still to do (Not Started, Open, In Progress, ...) are plans, not evidence.
-- call_direction is also an e-mail's stated direction (canonical call_type, Direction, Incoming);
-- an e-mail with a direction is not a call. email_from: the sender a Task's Description names.
-- A Salesforce EmailMessage linked to a Task of the export (ActivityId) is not an activity of its
-- own: its Task takes its direction (Incoming) and sender (FromAddress); an EmailMessage without
-- such a Task stands for itself.
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
        id_key(linked_activity_id) as linked_activity_key,
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

email_messages as (
    -- the first EmailMessage of each Task
    select linked_activity_key, call_direction, email_from
    from deduplicated
    where object_type = 'EmailMessage' and linked_activity_key is not null and not is_deleted
    qualify row_number() over (partition by linked_activity_key order by activity_at, activity_key) = 1
),

linked as (
    select
        deduplicated.* replace (
            coalesce(email_messages.call_direction, deduplicated.call_direction) as call_direction,
            coalesce(email_messages.email_from, deduplicated.email_from) as email_from
        )
    from deduplicated
    left join email_messages
        on email_messages.linked_activity_key = deduplicated.activity_key
        and deduplicated.object_type <> 'EmailMessage'
    where not (
        deduplicated.object_type = 'EmailMessage'
        and deduplicated.linked_activity_key is not null
        and deduplicated.linked_activity_key in (
            select activity_key from deduplicated where object_type <> 'EmailMessage'
        )
    )
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
            '未开始', '进行中', '计划', 'draft'
        ) as is_done
    from linked
)

select * from final
