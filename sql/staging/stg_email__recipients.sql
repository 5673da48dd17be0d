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
    -- one row per message and address: To before Cc, then the first position (one plain aggregate,
    -- not a window sorting every address of every message)
    select
        message_id,
        address,
        min_row.recipient_type,
        min_row.header_position
    from (
        select
            message_id,
            address,
            arg_min(
                {'recipient_type': recipient_type, 'header_position': header_position},
                {'is_cc': recipient_type <> 'to', 'header_position': header_position}
            ) as min_row
        from unnested
        where address is not null
        group by message_id, address
    )
)

select * from final
