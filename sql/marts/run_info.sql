-- The run these tables describe: evaluated as of, built when, in which time zone.
with params as (
    select * from run_params
),

final as (
    select as_of, built_at, business_timezone
    from params
)

select * from final
