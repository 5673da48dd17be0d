-- E-mail recipients: one row per message and address in To or Cc (To wins when in both).
with messages as (
    select * from stg_email__messages
),

unnested as (
    select message_id, unnest(to_addrs) as address, 'to' as recipient_type from messages
    union all
    select message_id, unnest(cc_addrs) as address, 'cc' as recipient_type from messages
),

final as (
    select message_id, address, recipient_type
    from unnested
    where address is not null
    qualify row_number() over (
        partition by message_id, address order by recipient_type desc
    ) = 1
)

select * from final
