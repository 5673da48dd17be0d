-- E-mail recipients: one row per message and address in To or Cc (To wins when in both), with
-- its 1-based position in that header as written (header order: the first staff addressee in
-- To is reply_12h's fallback AE).
with messages as (
    select * from stg_email__messages
),

unnested as (
    select
        message_id,
        unnest(to_addrs) as address,
        generate_subscripts(to_addrs, 1) as header_position,
        'to' as recipient_type
    from messages
    union all
    select
        message_id,
        unnest(cc_addrs) as address,
        generate_subscripts(cc_addrs, 1) as header_position,
        'cc' as recipient_type
    from messages
),

final as (
    select message_id, address, recipient_type, header_position
    from unnested
    where address is not null
    qualify row_number() over (
        partition by message_id, address order by recipient_type desc, header_position
    ) = 1
)

select * from final
