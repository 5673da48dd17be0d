-- festival_greeting (逢年过节给你的客户或潜在客户寄一张贺卡 — "at every festival send your clients and
-- prospects a greeting card"; 再次提升计划): each festival of the business calendar (int_festivals:
-- the first days of 元旦, 春节, 劳动节, 端午节, 中秋节, 国庆节) × each client or prospect account (every CRM
-- account that is not deleted and not a vendor, partner or media owner) that existed before the
-- festival's first day. Opened when the greeting window opens (00:00 festival_greeting_days, default
-- 7, before the first day; the account's creation if later), due 24:00 of the first day. Fulfilled by
-- the first greeting to the account (int_account_care_evidence: an e-mail to a contact of the account
-- or a CRM Greeting activity) from the window's opening to the end of the break of consecutive days
-- off that holds the first day: by the due: met; inside the break after it: late; none: missed.
-- One greeting serves every festival whose window or break holds it (双节快乐: 中秋 and 国庆 2025),
-- the exception to "one evidence, one obligation". The AE is the account's owner.
with festivals as (
    select * from int_festivals
),

accounts as (
    select * from int_accounts where not is_deleted and not is_non_client
),

greetings as (
    select * from int_account_care_evidence where kind = 'greeting'
),

weeks as (
    select min(week_start_at) as window_start_at from int_weeks
),

owed as (
    select
        festivals.*,
        accounts.account_id,
        accounts.account_key,
        accounts.account_name,
        accounts.owner_email,
        accounts.source_file as account_source_file,
        accounts.record as account_record,
        greatest(festivals.window_open_at, coalesce(accounts.created_at, festivals.window_open_at)) as opened_at
    from festivals
    cross join accounts
    cross join weeks
    where (accounts.created_at is null or accounts.created_at < festivals.first_day_start_at)
        and festivals.due_at >= weeks.window_start_at
),

first_greetings as (
    select
        owed.account_key,
        owed.festival,
        owed.first_day,
        min(greetings.evidence_at) as greeted_at,
        arg_min(greetings.evidence_items, greetings.evidence_at) as greeting_items
    from owed
    inner join greetings
        on greetings.account_key = owed.account_key
        and greetings.evidence_at >= owed.window_open_at
        and greetings.evidence_at < owed.break_end_at
    group by owed.account_key, owed.festival, owed.first_day
),

final as (
    select
        'festival_greeting' as standard,
        owed.account_key || '|' || owed.festival || '|' || cast(owed.first_day as varchar) as opening_key,
        owed.owner_email as ae,
        owed.account_id as client_account,
        owed.opened_at,
        owed.due_at,
        first_greetings.greeted_at as fulfilled_at,
        false as is_excused,
        owed.festival || ' ' || cast(owed.first_day as varchar)
            || ', greeting window from ' || cast(owed.window_open_day as varchar)
            || ', break ' || cast(owed.break_start as varchar) || ' to ' || cast(owed.break_end as varchar)
            as evidence_head,
        list_concat(
            [evidence_item('crm_account', 'opened_by', owed.account_source_file, owed.account_record, owed.account_id,
                'client or prospect account', null)],
            coalesce(first_greetings.greeting_items, [])
        ) as evidence_items,
        case when first_greetings.greeting_items is null then 'no greeting in the window or the break' end
            as evidence_tail,
        owed.festival || ' ' || coalesce(owed.account_name, owed.account_id) as subject
    from owed
    left join first_greetings
        on first_greetings.account_key = owed.account_key
        and first_greetings.festival = owed.festival
        and first_greetings.first_day = owed.first_day
)

select * from final
