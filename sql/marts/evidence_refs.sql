-- Every export row an obligation's evidence names: one row per item of obligations.evidence_items
-- (a plain unnest: no text is parsed back), and whether that row is in the raw table of its kind.
-- The quality gate requires all of them to resolve, so every figure on the site drills down to
-- rows that exist.
with items as (
    select
        obligation_id,
        standard,
        unnest(evidence_items) as item,
        unnest(range(1, len(evidence_items) + 1)) as item_no  -- the item's place in evidence_items
    from obligations
),

source_rows as (
    select distinct source_file, record, 'email' as kind, 'raw_email_messages' as source_table from raw_email_messages
    union all select distinct source_file, record, 'calendar', 'raw_calendar_events' from raw_calendar_events
    union all select distinct source_file, record, 'crm', 'raw_crm_activities' from raw_crm_activities
    union all select distinct source_file, record, 'crm_account', 'raw_crm_accounts' from raw_crm_accounts
    union all select distinct source_file, record, 'crm_user', 'raw_crm_users' from raw_crm_users
    union all select distinct source_file, record, 'attendance', 'raw_attendance' from raw_attendance
    union all select distinct source_file, record, 'staff', 'raw_staff' from raw_staff
    union all select distinct source_file, record, 'crm_case', 'raw_crm_cases' from raw_crm_cases
    union all select distinct source_file, record, 'crm_work_order', 'raw_crm_work_orders' from raw_crm_work_orders
    union all select distinct source_file, record, 'crm_quote', 'raw_crm_quotes' from raw_crm_quotes
    union all select distinct source_file, record, 'crm_approval', 'raw_crm_approvals' from raw_crm_approvals
    union all select distinct source_file, record, 'crm_opportunity', 'raw_crm_opportunities' from raw_crm_opportunities
    union all select distinct source_file, record, 'clock', 'raw_clock_ins' from raw_clock_ins
),

final as (
    select
        items.obligation_id,
        items.standard,
        items.item_no,
        items.item.kind as kind,
        items.item.role as role,
        items.item.key as key,
        items.item.source_file as source_file,
        items.item.record as record,
        source_rows.source_table,  -- null: the evidence names a row that is not there
        source_rows.source_table is not null as is_resolved
    from items
    left join source_rows
        on source_rows.kind = items.item.kind
        and source_rows.source_file = items.item.source_file
        and source_rows.record = items.item.record
)

select * from final
