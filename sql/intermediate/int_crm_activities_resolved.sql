-- CRM activities with the client account they concern (AccountId, else a WhatId that is an
-- account, else the account of the WhoId contact), who logged them, and what they are:
-- outbound calls (calls made by the agency, done, not Inbound/Internal) and e-mails classified
-- first by their activity type, then by subject keywords (STANDARDS.md "Classification").
-- is_outbound_email: an e-mail sent by the agency. Its stated direction decides (canonical
-- call_type, Salesforce Direction / Incoming); else the sender its Description names (a staff
-- address: outbound; any other: inbound, e.g. a client's 周报 logged by Email to Salesforce);
-- else it is taken as sent by the agency, as logged calls are (docs/decisions.md, Weekly rhythm).
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

identities as (
    select * from int_identities
),

resolved as (
    select
        activities.*,
        coalesce(direct.account_key, what_account.account_key, contact.account_key) as resolved_account_key,
        users.email as owner_email,
        sender.identity_kind as email_from_kind
    from activities
    left join accounts as direct on direct.account_key = activities.account_key
    left join accounts as what_account on what_account.account_key = activities.what_key
    left join contacts as contact on contact.contact_key = activities.who_key
    left join users on users.user_key = activities.owner_key
    left join identities as sender on sender.email = activities.email_from
),

text_kinds as (
    -- activity types and subjects repeat: each distinct pair is matched against the keywords once
    select
        texts.activity_type,
        texts.subject,
        bool_or(keywords.kind = 'weekly_report') as is_weekly_report,
        bool_or(keywords.kind = 'agenda') as is_agenda,
        bool_or(keywords.kind = 'minutes') as is_minutes
    from (select distinct activity_type, subject from activities) as texts
    inner join keywords
        on contains(lower(coalesce(texts.activity_type, '')), keywords.keyword)
        or contains(lower(subject_stripped(texts.subject)), keywords.keyword)
    where keywords.kind in ('weekly_report', 'agenda', 'minutes')
    group by texts.activity_type, texts.subject
),

kinds as (
    select
        activities.activity_key,
        text_kinds.is_weekly_report,
        text_kinds.is_agenda,
        text_kinds.is_minutes
    from activities
    inner join text_kinds
        on text_kinds.activity_type is not distinct from activities.activity_type
        and text_kinds.subject is not distinct from activities.subject
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
        resolved.created_at,
        resolved.resolved_account_key as account_key,
        accounts.account_id,
        resolved.owner_email,
        -- seen only when both its date and its creation are at or before as_of (a call logged on
        -- Wednesday for Monday is not visible as of Tuesday: re-running an old as_of is stable)
        not resolved.is_deleted and resolved.activity_at is not null and resolved.activity_at <= params.as_of
            and coalesce(resolved.created_at, resolved.activity_at) <= params.as_of
            as is_visible,
        resolved.is_call and resolved.is_done and coalesce(resolved.call_direction, 'outbound') = 'outbound'
            as is_outbound_call,
        lower(coalesce(resolved.activity_type, '')) in ('email', 'e-mail', 'mail', '邮件') and resolved.is_done
            as is_email,
        lower(coalesce(resolved.activity_type, '')) in ('email', 'e-mail', 'mail', '邮件') and resolved.is_done
            and case
                when resolved.call_direction in ('outbound', 'outgoing', 'sent', '发出', '外发') then true
                when resolved.call_direction is not null then false
                when resolved.email_from is not null then coalesce(resolved.email_from_kind = 'staff', false)
                else true
            end as is_outbound_email,
        resolved.email_from,
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
