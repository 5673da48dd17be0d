-- Threads: one row per seen message with its thread_id.
-- 1. Headers (RFC 5322): each message's parent is its In-Reply-To when that message is in the
--    export, else the last References entry that is, else the first References entry (the
--    thread's root, even when not exported), else the missing In-Reply-To. Walking parents
--    (depth cap 100, never revisiting a node) gives the root; a loop's root is the lowest id on
--    the loop, so every message reaching the loop gets the same root. Duplicate Message-IDs were
--    merged in staging; a missing root still unites the replies that reference it.
-- 2. Conversation ids: header groups that share a Gmail X-GM-THRID or an Outlook Thread-Index
--    conversation (its first 22 bytes) are merged (one step: the lowest root wins).
-- 3. Subject fallback, for replies whose mailer dropped the headers: a message still alone whose
--    subject starts with a reply prefix (Re:, 回复：...) joins the thread of the latest earlier
--    message with the same normalised subject about the same client account, sent within
--    subject_thread_window_days, unless both carry different Gmail/Outlook conversation ids.
--    Chains of such replies follow their first message. A message without a reply prefix and
--    without headers starts a new conversation even when its subject repeats an older one.
with recursive messages as (
    select * from int_email_messages_resolved where is_visible
),

params as (
    select * from run_params
),

ids as (
    -- every Message-ID the headers name (seen messages, In-Reply-To, References), numbered in id
    -- order: the walk, the groups and the joins below work on these numbers, and the lowest number
    -- is the lowest id (the roots chosen by `min` and the order `sent_at, message_id` are kept)
    select
        id,
        row_number() over (order by id) as id_no
    from (
        select message_id as id from messages
        union
        select in_reply_to from messages where in_reply_to is not null
        union
        select unnest(references_ids) from messages
    )
),

numbered as (
    -- each seen message with its own number, its In-Reply-To's and its References' (in order)
    select
        messages.message_id,
        message_ids.id_no as message_no,
        reply_ids.id_no as in_reply_to_no,
        messages.references_ids,
        messages.sent_at,
        messages.subject_key,
        messages.message_account_key,
        messages.has_reply_prefix,
        messages.gm_thread_id,
        messages.thread_index
    from messages
    inner join ids as message_ids on message_ids.id = messages.message_id
    left join ids as reply_ids on reply_ids.id = messages.in_reply_to
),

reference_rows as (
    select
        reference_rows.message_no,
        ids.id_no as ref_no,
        reference_rows.pos
    from (
        select
            message_no,
            unnest(references_ids) as ref,
            generate_subscripts(references_ids, 1) as pos
        from numbered
    ) as reference_rows
    inner join ids on ids.id = reference_rows.ref
),

reference_summary as (
    select
        reference_rows.message_no,
        arg_max(reference_rows.ref_no, reference_rows.pos) filter (where present.message_no is not null)
            as last_present_ref,
        arg_min(reference_rows.ref_no, reference_rows.pos) as first_ref
    from reference_rows
    left join numbered as present on present.message_no = reference_rows.ref_no
    where reference_rows.ref_no <> reference_rows.message_no
    group by reference_rows.message_no
),

parents as (
    select
        numbered.message_no,
        case
            when replied.message_no is not null and numbered.in_reply_to_no <> numbered.message_no
                then numbered.in_reply_to_no
            when reference_summary.last_present_ref is not null then reference_summary.last_present_ref
            when reference_summary.first_ref is not null then reference_summary.first_ref
            when numbered.in_reply_to_no <> numbered.message_no then numbered.in_reply_to_no
        end as parent_no
    from numbered
    left join numbered as replied on replied.message_no = numbered.in_reply_to_no
    left join reference_summary on reference_summary.message_no = numbered.message_no
),

walk(message_no, node, path, depth) as (
    select message_no, message_no, [message_no], 0
    from numbered
    union all
    select walk.message_no, parents.parent_no, list_append(walk.path, parents.parent_no), walk.depth + 1
    from walk
    inner join parents on parents.message_no = walk.node
    where parents.parent_no is not null
        and not list_contains(walk.path, parents.parent_no)
        and walk.depth < 100
),

walk_ends as (
    select *
    from walk
    qualify row_number() over (partition by message_no order by depth desc) = 1
),

header_roots as (
    select
        walk_ends.message_no,
        case
            when parents.parent_no is not null and list_contains(walk_ends.path, parents.parent_no)
                then list_min(list_slice(
                    walk_ends.path, list_position(walk_ends.path, parents.parent_no), len(walk_ends.path)
                ))
            else walk_ends.node
        end as header_root
    from walk_ends
    left join parents on parents.message_no = walk_ends.node
),

header_group_sizes as (
    select header_root, count(*) as header_group_size
    from header_roots
    group by header_root
),

header_groups as (
    select
        header_roots.*,
        header_group_sizes.header_group_size
    from header_roots
    inner join header_group_sizes on header_group_sizes.header_root = header_roots.header_root
),

conversation_keys as (
    select message_no, 'gmail:' || gm_thread_id as conversation_key
    from numbered
    where gm_thread_id is not null
    union all
    select message_no, 'thread-index:' || left(hex(try(from_base64(thread_index))), 44)
    from numbered
    where thread_index is not null and octet_length(try(from_base64(thread_index))) >= 22
),

conversation_roots as (
    select conversation_keys.conversation_key, min(header_groups.header_root) as conversation_root
    from conversation_keys
    inner join header_groups on header_groups.message_no = conversation_keys.message_no
    group by conversation_keys.conversation_key
),

merged_roots as (
    select
        header_groups.header_root,
        least(header_groups.header_root, min(conversation_roots.conversation_root)) as group_root
    from header_groups
    inner join conversation_keys on conversation_keys.message_no = header_groups.message_no
    inner join conversation_roots on conversation_roots.conversation_key = conversation_keys.conversation_key
    group by header_groups.header_root
),

rooted as (
    select
        header_groups.message_no,
        header_groups.header_root,
        header_groups.header_group_size,
        coalesce(merged_roots.group_root, header_groups.header_root) as group_root,
        numbered.sent_at,
        numbered.subject_key,
        numbered.message_account_key,
        numbered.has_reply_prefix,
        coalesce('gmail:' || numbered.gm_thread_id, 'thread-index:' || left(hex(try(from_base64(numbered.thread_index))), 44))
            as conversation_key
    from header_groups
    inner join numbered on numbered.message_no = header_groups.message_no
    left join merged_roots on merged_roots.header_root = header_groups.header_root
),

group_sizes as (
    select group_root, count(*) as group_size
    from rooted
    group by group_root
),

grouped as (
    select
        rooted.*,
        group_sizes.group_size
    from rooted
    inner join group_sizes on group_sizes.group_root = rooted.group_root
),

fallback_subjects as (
    -- the accounts and subjects with a message still alone that says it replies: only there can a
    -- message continue an earlier one (elsewhere every message starts its own chain)
    select distinct message_account_key, subject_key
    from grouped
    where group_size = 1 and has_reply_prefix and subject_key is not null and message_account_key is not null
),

keyed as (
    -- messages that can take part in the subject fallback, in time order per account and subject
    select
        grouped.*,
        lag(grouped.sent_at) over by_subject as previous_sent_at,
        lag(grouped.conversation_key) over by_subject as previous_conversation_key
    from grouped
    inner join fallback_subjects
        on fallback_subjects.message_account_key = grouped.message_account_key
        and fallback_subjects.subject_key = grouped.subject_key
    where grouped.subject_key is not null and grouped.message_account_key is not null
    window by_subject as (
        partition by grouped.message_account_key, grouped.subject_key order by grouped.sent_at, grouped.message_no
    )
),

chained as (
    -- a chain starts at every message that does not continue the one before it
    select
        keyed.*,
        not (  -- noqa: LT01,LT06
            keyed.group_size = 1
            and keyed.has_reply_prefix
            and keyed.previous_sent_at is not null
            and keyed.sent_at - keyed.previous_sent_at <= to_days(cast(params.subject_thread_window_days as integer))
            and not coalesce(keyed.conversation_key <> keyed.previous_conversation_key, false)
        ) as starts_chain
    from keyed
    cross join params
),

chain_roots as (
    -- a chain's root is the group of its first message: the latest chain start up to each message
    -- (the first message of an account and subject always starts one)
    select
        message_no,
        starts_chain,
        last_value(case when starts_chain then group_root end ignore nulls) over (
            partition by message_account_key, subject_key order by sent_at, message_no
        ) as chain_root
    from chained
),

threaded as (
    select
        grouped.message_no,
        case
            when chain_roots.starts_chain = false then chain_roots.chain_root
            else grouped.group_root
        end as thread_no,
        case
            when chain_roots.starts_chain = false then 'subject'
            when grouped.group_size > 1 and grouped.header_group_size = grouped.group_size then 'headers'
            when grouped.group_size > 1 then 'conversation_id'
            else 'single'
        end as thread_method,
        grouped.header_root
    from grouped
    left join chain_roots on chain_roots.message_no = grouped.message_no
),

final as (
    -- the numbers back to Message-IDs
    select
        message_ids.id as message_id,
        thread_ids.id as thread_id,
        threaded.thread_method,
        root_ids.id as header_root
    from threaded
    inner join ids as message_ids on message_ids.id_no = threaded.message_no
    inner join ids as thread_ids on thread_ids.id_no = threaded.thread_no
    inner join ids as root_ids on root_ids.id_no = threaded.header_root
)

select * from final
