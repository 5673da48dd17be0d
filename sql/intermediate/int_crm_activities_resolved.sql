-- CRM activities with the client account they concern (AccountId, else a WhatId that is an
-- account, else the account of the WhoId contact), who logged them, and what they are:
-- outbound calls (calls made by the agency, done, not Inbound/Internal) and e-mails classified
-- first by their activity type, then by subject keywords (STANDARDS.md "Classification").
with activities as (
    select * from stg_crm__activities
),

accounts as (
    select * from int_accounts
),

contacts as (
    select * from stg_crm__contacts
),

users as (
    select * from stg_crm__users
),

keywords as (
    select kind, lower(trim(keyword)) as keyword
    from classification_keywords
    where trim(keyword) <> ''
),

params as (
    select * from run_params
),

resolved as (
    select
        activities.*,
        coalesce(direct.account_key, what_account.account_key, contact.account_key) as resolved_account_key,
        users.email as owner_email
    from activities
    left join accounts as direct on direct.account_key = activities.account_key
    left join accounts as what_account on what_account.account_key = activities.what_key
    left join contacts as contact on contact.contact_key = activities.who_key
    left join users on users.user_key = activities.owner_key
),

kinds as (
    select
        resolved.activity_key,
        bool_or(keywords.kind = 'weekly_report') as is_weekly_report,
        bool_or(keywords.kind = 'agenda') as is_agenda,
        bool_or(keywords.kind = 'minutes') as is_minutes
    from resolved
    inner join keywords
        on contains(lower(coalesce(resolved.activity_type, '')), keywords.keyword)
        or contains(lower(subject_stripped(resolved.subject)), keywords.keyword)
    group by resolved.activity_key
),

final as (
    select
        resolved.activity_id,
        resolved.activity_key,
        resolved.object_type,
        resolved.activity_type,
        resolved.call_direction,
        resolved.subject,
        resolved.status,
        resolved.activity_at,
        resolved.resolved_account_key as account_key,
        accounts.account_id,
        resolved.owner_email,
        not resolved.is_deleted and resolved.activity_at is not null and resolved.activity_at <= params.as_of
            as is_visible,
        resolved.is_call and resolved.is_done and coalesce(resolved.call_direction, 'outbound') = 'outbound'
            as is_outbound_call,
        lower(coalesce(resolved.activity_type, '')) in ('email', 'e-mail', 'mail', '邮件') and resolved.is_done
            as is_email,
        coalesce(kinds.is_weekly_report, false) as is_weekly_report,
        coalesce(kinds.is_agenda, false) as is_agenda,
        coalesce(kinds.is_minutes, false) as is_minutes,
        resolved.source_file,
        resolved.record
    from resolved
    cross join params
    left join accounts on accounts.account_key = resolved.resolved_account_key
    left join kinds on kinds.activity_key = resolved.activity_key
)

select * from final
