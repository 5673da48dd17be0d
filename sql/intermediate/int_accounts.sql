-- CRM accounts with their owner (the AE, as an e-mail address) and size tier. The owner is
-- found through CRM users; an owner id that is itself an address (canonical files) is used as is.
-- Active client (weekly standards): a customer account owned by an AE (stg_staff.is_ae), created by as_of.
-- client_tier: A/B/C by annual revenue, tertiles among customer accounts; 'unknown' without one.
with accounts as (
    select * from stg_crm__accounts
),

users as (
    select * from stg_crm__users
),

staff as (
    select * from stg_staff
),

params as (
    select * from run_params
),

with_owner as (
    select
        accounts.*,
        coalesce(users.email, case when accounts.owner_key like '%@%' then email_key(accounts.owner_key) end)
            as owner_email
    from accounts
    left join users on users.user_key = accounts.owner_key
),

customer_tiers as (
    select
        annual_revenue,
        ntile(3) over (order by annual_revenue desc) as tertile
    from with_owner
    where is_customer and annual_revenue is not null
),

thresholds as (
    select
        min(annual_revenue) filter (where tertile = 1) as a_min,
        min(annual_revenue) filter (where tertile = 2) as b_min
    from customer_tiers
),

final as (
    select
        with_owner.account_id,
        with_owner.account_key,
        with_owner.account_name,
        with_owner.account_type,
        with_owner.is_customer,
        with_owner.is_non_client,
        with_owner.is_deleted,
        with_owner.owner_key,
        with_owner.owner_email,
        with_owner.website,
        with_owner.web_domain,
        with_owner.annual_revenue,
        with_owner.created_at,
        case
            when with_owner.annual_revenue is null or thresholds.a_min is null then 'unknown'
            when with_owner.annual_revenue >= thresholds.a_min then 'A'
            when with_owner.annual_revenue >= coalesce(thresholds.b_min, thresholds.a_min) then 'B'
            else 'C'
        end as client_tier,
        with_owner.is_customer
            and coalesce(staff.is_ae, false)
            and (with_owner.created_at is null or with_owner.created_at <= params.as_of) as is_active_client,
        with_owner.source_file,
        with_owner.record
    from with_owner
    cross join thresholds
    cross join params
    left join staff on staff.email = with_owner.owner_email
)

select * from final
