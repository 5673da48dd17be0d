-- Each active client account with its AE (the account owner), each evaluated week it existed in:
-- an account created after a week ended has no obligation that week (monday_call,
-- friday_client_report; docs/decisions.md "Weekly rhythm"). Every week is listed, with or
-- without a working day: each standard keeps the weeks it can open in.
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
        weeks.*
    from accounts
    cross join weeks
    where accounts.created_at is null or accounts.created_at < weeks.week_end_at
)

select * from final
