-- Every export row an obligation's evidence names ('<file> (message 3)', '(line 17)',
-- '(VEVENT 2)', '(file)'), and whether that row is in the warehouse: the quality gate requires
-- all of them to resolve, so every figure on the site drills down to rows that exist.
with obligations as (
    select obligation_id, standard, evidence from obligations
),

source_rows as (
    select distinct source_file, record, 'raw_email_messages' as source_table from raw_email_messages
    union all select distinct source_file, record, 'raw_calendar_events' from raw_calendar_events
    union all select distinct source_file, record, 'raw_crm_activities' from raw_crm_activities
    union all select distinct source_file, record, 'raw_crm_accounts' from raw_crm_accounts
    union all select distinct source_file, record, 'raw_crm_contacts' from raw_crm_contacts
    union all select distinct source_file, record, 'raw_crm_users' from raw_crm_users
    union all select distinct source_file, record, 'raw_attendance' from raw_attendance
    union all select distinct source_file, record, 'raw_staff' from raw_staff
),

refs as (
    select
        obligation_id,
        standard,
        unnest(regexp_extract_all(
            evidence,
            '((?:email|calendar|crm|attendance)/[^;]+?|staff\.csv) \(((?:message|line|VEVENT) \d+|file)\)',
            ['source_file', 'record']
        )) as ref
    from obligations
),

final as (
    select
        refs.obligation_id,
        refs.standard,
        refs.ref.source_file as source_file,
        refs.ref.record as record,
        min(source_rows.source_table) as source_table,  -- null: the evidence names a row that is not there
        min(source_rows.source_table) is not null as is_resolved
    from refs
    left join source_rows
        on source_rows.source_file = refs.ref.source_file
        and source_rows.record = refs.ref.record
    group by all
)

select * from final
