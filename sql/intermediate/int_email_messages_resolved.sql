-- Messages with who sent them to whom: sender kind and account, staff and client recipients,
-- the client account the message is about, what kind of message its subject says it is, and
-- whether it is seen at all (sent by as_of; a message without a usable Date is never placed).
with messages as (
    select * from stg_email__messages
),

message_subjects as (
    -- the subjects alone, so that the messages' rows are read once (not held for a second pass)
    select subject_normalized from stg_email__messages
),

recipients as (
    select * from stg_email__recipients
),

identities as (
    select * from int_identities
),

keywords as (
    select kind, lower(trim(keyword)) as keyword
    from classification_keywords
    where trim(keyword) <> ''
),

params as (
    select * from run_params
),

recipient_identities as (
    select
        recipients.message_id,
        recipients.address,
        recipients.recipient_type,
        recipients.header_position,
        identities.identity_kind,
        identities.account_id,
        identities.account_key
    from recipients
    left join identities on identities.email = recipients.address
),

recipient_summary as (
    -- staff addressees in header order (To before Cc, then as written): the first staff address
    -- in To is the accountable AE when the account has no owner (reply_12h)
    -- (plain lists sorted afterwards: an ordered aggregate sorts each message's rows apart)
    select
        message_id,
        list_transform(
            list_sort(list({'is_cc': recipient_type = 'cc', 'position': header_position, 'address': address})
                filter (where identity_kind = 'staff')),
            lambda r: r.address
        ) as staff_recipients,
        list_transform(
            list_sort(list({'position': header_position, 'address': address})
                filter (where identity_kind = 'staff' and recipient_type = 'to')),
            lambda r: r.address
        ) as staff_to_recipients,
        list(address order by address) filter (where identity_kind = 'client') as client_recipients,
        list(distinct account_key) filter (where identity_kind = 'client') as client_account_keys
    from recipient_identities
    group by message_id
),

main_client_accounts as (
    -- the account most of the client recipients belong to (ties: lowest id)
    select message_id, account_key
    from recipient_identities
    where identity_kind = 'client' and account_key is not null
    group by message_id, account_key
    qualify row_number() over (partition by message_id order by count(*) desc, account_key) = 1
),

subject_kinds as (
    -- subjects repeat: each distinct subject is matched against the keywords once
    select
        subjects.subject_lower,
        bool_or(keywords.kind = 'agenda') as is_agenda,
        bool_or(keywords.kind = 'minutes') as is_minutes,
        bool_or(keywords.kind = 'weekly_report') as is_weekly_report,
        bool_or(keywords.kind = 'supervisor_report') as is_supervisor_report
    from (select distinct lower(subject_normalized) as subject_lower from message_subjects) as subjects
    inner join keywords on contains(subjects.subject_lower, keywords.keyword)
    where keywords.kind in ('agenda', 'minutes', 'weekly_report', 'supervisor_report')
    group by subjects.subject_lower
),

final as (
    select
        messages.message_id,
        messages.sent_at,
        messages.sent_at is not null and messages.sent_at <= params.as_of as is_visible,
        messages.is_auto_generated,
        messages.auto_generated_reason,
        messages.from_addr,
        coalesce(sender.identity_kind, 'other') as from_kind,
        sender.account_id as from_account_id,
        sender.account_key as from_account_key,
        coalesce(recipient_summary.staff_recipients, []) as staff_recipients,
        coalesce(recipient_summary.staff_to_recipients, []) as staff_to_recipients,
        coalesce(recipient_summary.client_recipients, []) as client_recipients,
        coalesce(recipient_summary.client_account_keys, []) as client_account_keys,
        len(coalesce(recipient_summary.staff_recipients, [])) > 0 as has_staff_recipient,
        len(coalesce(recipient_summary.client_recipients, [])) > 0 as has_client_recipient,
        case
            when sender.identity_kind = 'client' then sender.account_key
            when sender.identity_kind = 'staff' then main_client_accounts.account_key
        end as message_account_key,
        messages.to_addrs,
        messages.cc_addrs,
        messages.subject,
        messages.subject_normalized,
        messages.subject_key,
        messages.has_reply_prefix,
        messages.in_reply_to,
        messages.references_ids,
        messages.thread_index,
        messages.gm_thread_id,
        coalesce(subject_kinds.is_agenda, false) as is_agenda,
        coalesce(subject_kinds.is_minutes, false) as is_minutes,
        coalesce(subject_kinds.is_weekly_report, false) as is_weekly_report,
        coalesce(subject_kinds.is_supervisor_report, false) as is_supervisor_report,
        messages.sources,
        messages.source_copies,
        messages.copy_count
    from messages
    cross join params
    left join identities as sender on sender.email = messages.from_addr
    left join recipient_summary on recipient_summary.message_id = messages.message_id
    left join main_client_accounts on main_client_accounts.message_id = messages.message_id
    left join subject_kinds on subject_kinds.subject_lower = lower(messages.subject_normalized)
)

select * from final
