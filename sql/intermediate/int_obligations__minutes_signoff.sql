-- minutes_signoff (会议管理基本动作: 会议后24小时内…经主管签字后发出): minutes go out only after the
-- supervisor signs. Opened by each minutes e-mail sent to a client (int_email_evidence
-- is_minutes_evidence with a client recipient: a staff reply to comments is not new minutes), at
-- its sending; due at that same instant.
-- Approval (STANDARDS.md "Decisions for the other twelve"): an e-mail from the supervisor (staff
-- directory) of the sender or of the accountable AE, to that person (To/Cc), with an approval word
-- (同意, 批准, 可以发, 通过, 没问题, approved, OK to send, LGTM) and no negation (不同意, 不批准, 不可以,
-- 暂不, 驳回, not approved, rejected) in the first 1,000 characters of its body (flags read at ingest:
-- raw_email_messages.has_approval_word / has_negation_word; bodies stay unstored), in the same thread
-- as the minutes, or whose subject holds the minutes' subject or names the meeting they serve (its
-- title or local date); or a CRM approval of the account (Salesforce ProcessInstance Approved whose
-- TargetObjectId is the account or one of its activities or opportunities, at CompletedDate;
-- canonical activity_type Approval of the account, or whose what_id is the minutes' Message-ID, not
-- rejected). Approvals count from the start of the meeting the minutes serve
-- (else from minutes_match_days before the send). Before the send: met; after: late; none: missed.
-- One approval serves one minutes e-mail: the first sent at or after it, else the latest before it.
-- The AE: the served meeting's AE, else the owner of the message's client account, else the sender.
with minutes as (
    select * from int_minutes_mail
),

mail as (
    select * from int_email_evidence
),

accounts as (
    select * from int_accounts
),

staff as (
    select * from stg_staff
),

activities as (
    select * from int_crm_activities_resolved
),

weeks as (
    select * from int_weeks
),

params as (
    select * from run_params
),

body_flags as (
    -- the flags of every copy of a message (copies carry one body)
    select
        trim(message_id) as message_id,
        bool_or(coalesce(has_approval_word, false)) as has_approval_word,
        bool_or(coalesce(has_negation_word, false)) as has_negation_word
    from raw_email_messages
    group by trim(message_id)
),

window_start as (
    select min(week_start_at) as start_at from weeks
),

opened as (
    -- each minutes e-mail with the meeting it serves (int_minutes_mail) and the patterns naming it
    select
        minutes.message_id,
        minutes.sent_at,
        minutes.from_addr,
        minutes.thread_id,
        minutes.subject,
        minutes.subject_key,
        minutes.source_copies,
        minutes.account_key,
        minutes.occurrence_id,
        minutes.meeting_start_at,
        nullif(regexp_replace(lower(coalesce(minutes.meeting_summary, '')), '[\s\p{Z}]+', '', 'g'), '') as meeting_title_key,
        '(^|\D)(' || year(timezone(params.business_timezone, minutes.meeting_start_at)) || '[-/.])?0?'
            || month(timezone(params.business_timezone, minutes.meeting_start_at)) || '(月|/|\.|-)0?'
            || day(timezone(params.business_timezone, minutes.meeting_start_at)) || '(\D|$)' as date_pattern,
        minutes.ae,
        minutes.client_account
    from minutes
    cross join params
),

approvers as (
    -- who may sign: the supervisor of the sender and of the accountable AE
    select opened.message_id, staff.supervisor_email as approver, opened.from_addr as addressee
    from opened
    inner join staff on staff.email = opened.from_addr
    where staff.supervisor_email is not null
    union
    select opened.message_id, staff.supervisor_email, lower(opened.ae)
    from opened
    inner join staff on staff.email = lower(opened.ae)
    where staff.supervisor_email is not null
),

approval_mail as (
    select mail.*, regexp_replace(lower(coalesce(mail.subject_key, '')), '[\s\p{Z}]+', '', 'g') as subject_text
    from mail
    inner join body_flags on body_flags.message_id = mail.message_id
    where mail.from_kind = 'staff' and not mail.is_auto_generated
        and body_flags.has_approval_word and not body_flags.has_negation_word
),

mail_candidates as (
    select
        opened.message_id,
        approval_mail.message_id as approval_id,
        approval_mail.sent_at as approved_at,
        email_evidence_items(approval_mail.source_copies, 'fulfilled_by', approval_mail.message_id,
            'approval from ' || approval_mail.from_addr, null) as evidence_items
    from opened
    cross join params
    inner join approvers on approvers.message_id = opened.message_id
    inner join approval_mail
        on approval_mail.from_addr = approvers.approver
        and (list_contains(approval_mail.to_addrs, approvers.addressee)
            or list_contains(approval_mail.cc_addrs, approvers.addressee))
    where approval_mail.message_id <> opened.message_id
        and approval_mail.sent_at > coalesce(
            opened.meeting_start_at, opened.sent_at - to_days(cast(params.minutes_match_days as integer))
        )
        and (
            approval_mail.thread_id = opened.thread_id
            or (opened.subject_key is not null and contains(coalesce(approval_mail.subject_key, ''), opened.subject_key))
            or (
                -- names the meeting the minutes serve: its title or local date; a date written must be its date
                (
                    (opened.meeting_title_key is not null and contains(approval_mail.subject_text, opened.meeting_title_key))
                    or coalesce(regexp_matches(approval_mail.subject_text, opened.date_pattern), false)
                )
                and (
                    not regexp_matches(approval_mail.subject_text, '\d{1,2}(月|/|\.)\d{1,2}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}')
                    or coalesce(regexp_matches(approval_mail.subject_text, opened.date_pattern), false)
                )
            )
        )
),

crm_approval_targets as (
    -- what a ProcessInstance may approve, mapped to its account: the account itself, one of its
    -- activities, one of its opportunities
    select account_key as target_key, account_key from accounts
    union all
    select activity_key, account_key from activities where account_key is not null
    union all
    select id_key(opportunity_id), id_key(account_id) from raw_crm_opportunities where id_key(account_id) is not null
),

crm_approvals as (
    select
        'crm_approval' as kind,  -- raw_crm_approvals
        trim(approvals.approval_id) as approval_id,
        targets.account_key,
        approvals.completed_at as approved_at,
        approvals.source_file,
        approvals.record
    from raw_crm_approvals as approvals
    cross join params
    inner join crm_approval_targets as targets on targets.target_key = id_key(approvals.target_object_id)
    where lower(trim(coalesce(approvals.status, ''))) = 'approved'
        and not coalesce(approvals.is_deleted, false)
        and approvals.completed_at is not null
        and approvals.completed_at <= params.as_of
        and coalesce(approvals.created_at, approvals.completed_at) <= params.as_of
    union all
    select 'crm', activities.activity_id, activities.account_key, activities.activity_at, activities.source_file,
        activities.record  -- a canonical Approval activity of the account
    from activities
    where activities.is_visible and activities.account_key is not null
        and lower(coalesce(activities.activity_type, '')) = 'approval'
        and lower(trim(coalesce(activities.status, 'approved'))) not in (
            'rejected', 'denied', 'pending', 'not started', 'open', '驳回', '拒绝', '不同意', '待审批', '审批中'
        )
),

crm_direct_approvals as (
    -- a canonical Approval whose what_id names the minutes e-mail itself (its Message-ID)
    select
        opened.message_id,
        stg.activity_id as approval_id,
        activities.activity_at as approved_at,
        [evidence_item('crm', 'fulfilled_by', activities.source_file, activities.record, stg.activity_id,
            'CRM approval', null)] as evidence_items
    from opened
    inner join stg_crm__activities as stg on trim(stg.what_key, '<> ') = opened.message_id
    inner join activities on activities.activity_key = stg.activity_key
    where activities.is_visible and lower(coalesce(activities.activity_type, '')) = 'approval'
        and lower(trim(coalesce(activities.status, 'approved'))) not in (
            'rejected', 'denied', 'pending', 'not started', 'open', '驳回', '拒绝', '不同意', '待审批', '审批中'
        )
),

crm_candidates as (
    select
        opened.message_id,
        crm_approvals.approval_id,
        crm_approvals.approved_at,
        [evidence_item(crm_approvals.kind, 'fulfilled_by', crm_approvals.source_file, crm_approvals.record, crm_approvals.approval_id,
            'CRM approval', null)] as evidence_items
    from opened
    cross join params
    inner join crm_approvals on crm_approvals.account_key = opened.account_key
    where crm_approvals.approved_at > coalesce(
        opened.meeting_start_at, opened.sent_at - to_days(cast(params.minutes_match_days as integer))
    )
),

candidates as (
    select message_id, approval_id, approved_at, evidence_items from mail_candidates
    union all
    select message_id, approval_id, approved_at, evidence_items
    from crm_candidates
    union all
    select message_id, approval_id, approved_at, evidence_items
    from crm_direct_approvals
),

assigned as (
    -- one approval, one minutes e-mail: the first sent at or after it, else the latest before it
    select candidates.*, opened.sent_at
    from candidates
    inner join opened on opened.message_id = candidates.message_id
    qualify row_number() over (
        partition by candidates.approval_id
        order by opened.sent_at >= candidates.approved_at desc,
            case when opened.sent_at >= candidates.approved_at then epoch(opened.sent_at) else -epoch(opened.sent_at) end,
            opened.message_id
    ) = 1
),

chosen as (
    -- per minutes e-mail: the latest approval before the send, else the first after it
    select *
    from assigned
    qualify row_number() over (
        partition by message_id
        order by approved_at <= sent_at desc,
            case when approved_at <= sent_at then -epoch(approved_at) else epoch(approved_at) end,
            approval_id
    ) = 1
),

final as (
    select
        'minutes_signoff' as standard,
        opened.message_id as opening_key,
        opened.ae,
        opened.client_account,
        opened.sent_at as opened_at,
        opened.sent_at as due_at,
        chosen.approved_at as fulfilled_at,
        false as is_excused,
        list_concat(
            email_evidence_items(opened.source_copies, 'opened_by', opened.message_id,
                'minutes from ' || opened.from_addr, null),
            coalesce(chosen.evidence_items, [])
        ) as evidence_items,
        case when chosen.message_id is null then 'no supervisor approval found' end as evidence_tail,
        opened.subject
    from opened
    cross join window_start
    left join chosen on chosen.message_id = opened.message_id
    where opened.sent_at >= window_start.start_at
)

select * from final
