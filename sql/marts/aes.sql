-- One row per AE: the directory's AEs and account owners, and anyone accountable for an obligation.
with aes as (
    select * from int_aes
),

obligations as (
    select distinct ae from obligations where ae is not null
),

staff as (
    select * from stg_staff
),

everyone as (
    select ae from aes
    union
    select ae from obligations
),

final as (
    select
        everyone.ae,
        staff.name,
        staff.team,
        staff.supervisor_email
    from everyone
    left join staff on staff.email = everyone.ae
    order by everyone.ae
)

select * from final
