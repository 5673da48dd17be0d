-- Obligations with everything a dashboard shows beside them: the AE's name and team, the
-- client's name and size tier, the subject, the ISO week (business time zone) of opened_at, and
-- durations. hours_late: after due_at until fulfilled (late) or until as_of (missed).
with obligations as (
    select * from obligations
),

details as (
    select * from int_obligations
),

staff as (
    select * from stg_staff
),

accounts as (
    select * from int_accounts
),

business_days as (
    select * from business_days
),

params as (
    select * from run_params
),

final as (
    select
        obligations.obligation_id,
        obligations.standard,
        obligations.ae,
        staff.name as ae_name,
        staff.team,
        obligations.client_account,
        accounts.account_name as client_name,
        case when obligations.client_account is not null then coalesce(accounts.client_tier, 'unknown') end
            as client_tier,
        obligations.opened_at,
        obligations.due_at,
        obligations.fulfilled_at,
        obligations.status,
        obligations.evidence,
        details.subject,
        business_days.iso_year,
        business_days.iso_week,
        business_days.week_start,
        hours_between(obligations.opened_at, obligations.fulfilled_at) as hours_to_fulfil,
        case
            when obligations.status = 'late' then hours_between(obligations.due_at, obligations.fulfilled_at)
            when obligations.status = 'missed' then hours_between(obligations.due_at, params.as_of)
            when obligations.status = 'met' then 0.0
        end as hours_late,
        obligations.is_confirmed  -- friday_client_report: confirmed by phone the same day (else null)
    from obligations
    cross join params
    inner join details on details.obligation_id = obligations.obligation_id
    left join staff on staff.email = obligations.ae
    left join accounts on accounts.account_id = obligations.client_account
    left join business_days
        on business_days.day = cast(timezone(params.business_timezone, obligations.opened_at) as date)
)

select * from final
