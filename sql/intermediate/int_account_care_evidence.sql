-- Greetings (festival_greeting) and market / media information (market_info) sent to a client or
-- prospect account: one row per (kind, account, piece of evidence). E-mail: a message from staff,
-- not auto-generated, to a client contact of the account, whose subject holds a keyword of the kind
-- (classification_keywords 'greeting': 贺卡, 新年快乐, 中秋快乐, 双节快乐, ...; 'market_info': 市场信息,
-- 媒介信息, market update, ...); a staff reply (Re:/回复:, or In-Reply-To without a forward prefix) in
-- a thread that already holds an earlier message of the same kind with that account is not new
-- evidence (STANDARDS.md "Classification of messages"): answering a client's 新年快乐 is not the
-- AE's own greeting. CRM: an activity of the account, done, not an inbound e-mail, whose type is
-- Greeting / MarketInfo (canonical layout) or whose type or subject holds a keyword of the kind.
with messages as (
    select * from int_email_evidence
    where is_visible and is_staff_evidence and len(client_account_keys) > 0
),

activities as (
    select * from int_crm_activities_resolved where is_visible and account_key is not null
),

activity_status as (
    select activity_key, is_done from stg_crm__activities
),

keywords as (
    select kind, lower(trim(keyword)) as keyword
    from classification_keywords
    where kind in ('greeting', 'market_info') and trim(keyword) <> ''
),

subject_kinds as (
    -- subjects repeat: each distinct subject of a visible, not auto-generated message is matched
    -- against the keywords once
    select distinct subjects.subject_lower, keywords.kind
    from (
        select distinct lower(subject_normalized) as subject_lower
        from int_email_evidence
        where is_visible and not is_auto_generated
    ) as subjects
    inner join keywords on contains(subjects.subject_lower, keywords.keyword)
),

message_kinds as (
    select messages.message_id, subject_kinds.kind
    from messages
    inner join subject_kinds on subject_kinds.subject_lower = lower(messages.subject_normalized)
),

thread_kinds as (
    -- every visible message of each kind in each thread, with the accounts it was with
    select
        evidence.message_id,
        evidence.thread_id,
        evidence.sent_at,
        subject_kinds.kind,
        list_distinct(list_concat(
            evidence.client_account_keys,
            case when evidence.from_kind = 'client' and evidence.from_account_key is not null
                then [evidence.from_account_key] else [] end
        )) as account_keys
    from int_email_evidence as evidence
    inner join subject_kinds on subject_kinds.subject_lower = lower(evidence.subject_normalized)
    where evidence.is_visible and not evidence.is_auto_generated
),

repeats as (
    select distinct reply.message_id, message_kinds.kind
    from messages as reply
    inner join message_kinds on message_kinds.message_id = reply.message_id
    inner join thread_kinds as earlier
        on earlier.thread_id = reply.thread_id
        and earlier.kind = message_kinds.kind
        and (earlier.sent_at < reply.sent_at or (earlier.sent_at = reply.sent_at and earlier.message_id < reply.message_id))
        and len(list_intersect(earlier.account_keys, reply.client_account_keys)) > 0
    where reply.is_staff_reply
),

email_evidence as (
    select
        message_kinds.kind,
        unnest(messages.client_account_keys) as account_key,
        'Message-ID ' || messages.message_id as evidence_key,
        messages.sent_at as evidence_at,
        email_evidence_items(messages.source_copies, 'fulfilled_by', messages.message_id,
            case message_kinds.kind when 'greeting' then 'greeting from ' else 'market information from ' end
                || messages.from_addr,
            null) as evidence_items
    from messages
    inner join message_kinds on message_kinds.message_id = messages.message_id
    where not exists (
        select 1 from repeats
        where repeats.message_id = messages.message_id and repeats.kind = message_kinds.kind
    )
),

activity_subject_kinds as (
    -- each distinct activity subject, stripped of prefixes once, against the keywords
    select distinct subjects.subject, keywords.kind
    from (select distinct subject from activities) as subjects
    inner join keywords on contains(lower(subject_stripped(subjects.subject)), keywords.keyword)
),

activity_kinds as (
    select activities.activity_key, keywords.kind
    from activities
    inner join keywords on contains(lower(coalesce(activities.activity_type, '')), keywords.keyword)
    union
    select activities.activity_key, activity_subject_kinds.kind
    from activities
    inner join activity_subject_kinds on activity_subject_kinds.subject = activities.subject
    union
    select activity_key, 'greeting' from activities
    where lower(replace(coalesce(activity_type, ''), ' ', '')) in ('greeting', 'greetings', '贺卡', '节日问候')
    union
    select activity_key, 'market_info' from activities
    where lower(replace(replace(coalesce(activity_type, ''), ' ', ''), '_', '')) in ('marketinfo', '市场信息', '媒介信息')
),

crm_evidence as (
    select
        activity_kinds.kind,
        activities.account_key,
        'CRM ' || activities.activity_key as evidence_key,
        activities.activity_at as evidence_at,
        [evidence_item('crm', 'fulfilled_by', activities.source_file, activities.record, activities.activity_id,
            case activity_kinds.kind when 'greeting' then 'greeting: CRM activity' else 'market information: CRM activity' end,
            null)] as evidence_items
    from activities
    inner join activity_kinds on activity_kinds.activity_key = activities.activity_key
    inner join activity_status on activity_status.activity_key = activities.activity_key
    where activity_status.is_done and not (activities.is_email and not activities.is_outbound_email)
),

final as (
    select * from email_evidence
    union all
    select * from crm_evidence
)

select * from final
