-- client_file_complete (建全你的客户档案 — "build a complete client file: name, brand, product, address,
-- phone, fax, ad volume, projects, budget, key people"; 再次提升计划): one obligation per active client
-- account (a customer account owned by an AE), exempt from the window rule: every active account is
-- checked. Opened at the later of the account's creation and the start of the first evaluated week;
-- due client_file_days (default 30) after its creation, never before that window start. The required
-- fields are the setting client_file_fields (table client_file_fields: each field's CRM columns,
-- alternatives in order), read from the account's export row (fields_json, any column name case) and
-- its typed columns (name, phone, fax, address, annual_revenue, short_name); a value that is empty or
-- a placeholder (无, 暂无, 待定, -, N/A, TBD) is not filled. Projects (at least one Opportunity of the
-- account, or a canonical ProjectCompleted activity) and key people (at least one Contact) are
-- required too when the CRM export holds such records at all, or a column is mapped for them.
-- Met when every required field is filled as of as_of (fulfilled_at: as_of, or the due date when
-- that is earlier: an export cannot date when a field was filled, so there is no late); missed when
-- not and the due date has passed; open before. The evidence says the share filled and what is missing.
with accounts as (
    select * from int_accounts where is_active_client
),

raw_accounts as (
    select * from stg_crm__accounts
),

field_map as (
    select field, lower(trim(column_name)) as column_name, ordinal from client_file_fields
),

opportunities as (
    select distinct id_key(account_id) as account_key
    from raw_crm_opportunities
    where not coalesce(is_deleted, false) and id_key(account_id) is not null
),

projects_completed as (
    select distinct account_key from int_crm_activities_resolved
    where is_visible and account_key is not null
        and lower(replace(coalesce(activity_type, ''), ' ', '')) = 'projectcompleted'
),

contacts as (
    select distinct account_key from stg_crm__contacts where account_key is not null
),

weeks as (
    select min(week_start_at) as window_start_at from int_weeks
),

params as (
    select * from run_params
),

account_values as (
    -- every (account, column, value) of the export row: fields_json keys and the typed columns
    select raw.account_key, lower(trim(t.k)) as column_name,
        json_extract_string(raw_crm_accounts.fields_json, '$."' || replace(t.k, '"', '\"') || '"') as value
    from raw_accounts as raw
    inner join raw_crm_accounts on raw_crm_accounts.source_file = raw.source_file and raw_crm_accounts.record = raw.record
    cross join unnest(json_keys(coalesce(raw_crm_accounts.fields_json, '{}'))) as t(k)  -- noqa: LT01
    union all
    select raw.account_key, unnest(['name', 'phone', 'fax', 'address', 'annual_revenue', 'short_name']),
        unnest([
            raw_crm_accounts.name, raw_crm_accounts.phone, raw_crm_accounts.fax, raw_crm_accounts.address,
            cast(raw_crm_accounts.annual_revenue as varchar), raw_crm_accounts.short_name
        ])
    from raw_accounts as raw
    inner join raw_crm_accounts on raw_crm_accounts.source_file = raw.source_file and raw_crm_accounts.record = raw.record
),

filled_columns as (
    select distinct account_key, column_name
    from account_values
    where lower(trim(coalesce(value, ''))) not in ('', '无', '暂无', '待定', '-', '--', 'n/a', 'na', 'tbd')
),

required as (
    -- the configured fields, plus projects and key people when the CRM can say
    select distinct field from field_map
    union
    select 'projects' where exists (select 1 from raw_crm_opportunities)
        or exists (select 1 from projects_completed)
    union
    select 'key_people' where exists (select 1 from stg_crm__contacts)
),

checked as (
    select
        accounts.account_key,
        required.field,
        exists (
            select 1 from field_map
            inner join filled_columns
                on filled_columns.column_name = field_map.column_name
            where field_map.field = required.field and filled_columns.account_key = accounts.account_key
        )
        or (required.field = 'projects' and (
            accounts.account_key in (select account_key from opportunities)
            or accounts.account_key in (select account_key from projects_completed)))
        or (required.field = 'key_people' and accounts.account_key in (select account_key from contacts))
            as is_filled
    from accounts
    cross join required
),

completeness as (
    select
        account_key,
        count(*) as required_fields,
        count(*) filter (where is_filled) as filled_fields,
        string_agg(field, ', ' order by field) filter (where not is_filled) as missing_fields
    from checked
    group by account_key
),

final as (
    select
        'client_file_complete' as standard,
        accounts.account_key as opening_key,
        accounts.owner_email as ae,
        accounts.account_id as client_account,
        greatest(weeks.window_start_at, coalesce(accounts.created_at, weeks.window_start_at)) as opened_at,
        greatest(
            weeks.window_start_at,
            coalesce(accounts.created_at + to_days(params.client_file_days), weeks.window_start_at)
        ) as due_at,
        case
            when coalesce(completeness.missing_fields, '') = '' then least(
                params.as_of,
                greatest(
                    weeks.window_start_at,
                    coalesce(accounts.created_at + to_days(params.client_file_days), weeks.window_start_at)
                )
            )
        end as fulfilled_at,
        false as is_excused,
        'client file: ' || coalesce(completeness.filled_fields, 0) || ' of ' || coalesce(completeness.required_fields, 0)
            || ' required fields filled as of ' || local_minute(params.as_of, params.business_timezone) as evidence_head,
        [evidence_item('crm_account', 'opened_by', accounts.source_file, accounts.record, accounts.account_id,
            'client account', null)] as evidence_items,
        case when coalesce(completeness.missing_fields, '') <> '' then 'missing: ' || completeness.missing_fields end
            as evidence_tail,
        coalesce(accounts.account_name, accounts.account_id) as subject
    from accounts
    cross join weeks
    cross join params
    left join completeness on completeness.account_key = accounts.account_key
    where weeks.window_start_at is not null
)

select * from final
