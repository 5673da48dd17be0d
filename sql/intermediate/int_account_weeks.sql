-- Each active client account with its AE (the account owner), each evaluated week it existed in:
-- an account created after a week ended has no obligation that week. A weekly (AE, account)
-- obligation exists only when the account was created (CRM created date) before that
-- obligation's deadline: owes_monday_call (before the end of the first working day),
-- owes_friday_report (before the end of the last working day). An account created on Wednesday
-- owes no Monday call that week but owes that Friday's report (docs/decisions.md "Weekly
-- rhythm"). Every week is listed, with or without a working day: each standard keeps the weeks
-- it can open in.
with accounts as (
    select * from int_accounts where is_active_client
),

weeks as (
    select * from int_weeks
),

final as (
    select
        accounts.owner_email as ae,
        accounts.account_id,
        accounts.account_key,
        accounts.account_name,
        accounts.source_file as account_source_file,
        accounts.record as account_record,
        weeks.*,
        accounts.created_at is null or accounts.created_at < weeks.first_working_day_end_at as owes_monday_call,
        accounts.created_at is null or accounts.created_at < weeks.last_working_day_end_at as owes_friday_report
    from accounts
    cross join weeks
    where accounts.created_at is null or accounts.created_at < weeks.week_end_at
)

select * from final
