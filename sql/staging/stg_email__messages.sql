-- E-mail: one row per Message-ID. The same message found in several exported mailboxes is one
-- message here; every copy stays listed in `sources` ('file (record)') and `source_copies` (structs of
-- source_file and record, read by the evidence items: macro email_evidence_items). Auto-generated mail
-- (Auto-Submitted other than 'no', Precedence bulk/list/junk, List-Id, X-Autoreply and its
-- kin, delivery/read reports, out-of-office subjects) is flagged: it never opens or fulfils.
with source as (
    select * from raw_email_messages
),

out_of_office_words as (
    select lower(trim(keyword)) as keyword
    from classification_keywords
    where kind = 'out_of_office' and trim(keyword) <> ''
),

cleaned as (
    select
        trim(message_id) as message_id,
        has_message_id,
        sent_at,
        date_header,
        email_key(from_addr) as from_addr,
        nullif(trim(from_name), '') as from_name,
        list_filter(list_transform(coalesce(to_addrs, []), lambda a: email_key(a)), lambda a: a is not null) as to_addrs,
        list_filter(list_transform(coalesce(cc_addrs, []), lambda a: email_key(a)), lambda a: a is not null) as cc_addrs,
        subject,
        nullif(trim(in_reply_to), '') as in_reply_to,
        list_filter(list_transform(coalesce("references", []), lambda r: nullif(trim(r), '')), lambda r: r is not null) as references_ids,
        nullif(lower(trim(auto_submitted)), '') as auto_submitted,
        nullif(lower(trim(precedence)), '') as precedence,
        nullif(trim(list_id), '') as list_id,
        nullif(lower(trim(x_autoreply)), '') as x_autoreply,
        nullif(lower(trim(content_type)), '') as content_type,
        nullif(trim(thread_index), '') as thread_index,
        nullif(trim(gm_thread_id), '') as gm_thread_id,
        source_file,
        record,
        record_no(record) as record_no
    from source
    where nullif(trim(message_id), '') is not null
),

copies as (
    select
        message_id,
        list(source_ref(source_file, record) order by source_file, record_no) as sources,
        -- the same copies as structs, for structured evidence (macro email_evidence_items)
        list({'source_file': source_file, 'record': record} order by source_file, record_no) as source_copies,
        count(*) as copy_count
    from cleaned
    group by message_id
),

representative as (
    -- copies of one message carry the same headers; a copy with a usable Date wins
    select
        * exclude (record_no),
        subject_stripped(subject) as subject_normalized
    from cleaned
    qualify row_number() over (
        partition by message_id order by sent_at is null, source_file, record_no
    ) = 1
),

subject_prefixes as (
    -- each subject's first n characters for every keyword length n: an equality join, not a scan
    select
        representative.message_id,
        lower(representative.subject_normalized) as subject_lower,
        left(lower(representative.subject_normalized), lengths.n) as prefix
    from representative
    cross join (select distinct length(keyword) as n from out_of_office_words) as lengths
    where representative.subject_normalized <> ''
),

out_of_office as (
    -- 'Automatic reply: ...', '自动回复：...', 'Out of Office AutoReply: ...', 'Out of office'
    select distinct subject_prefixes.message_id
    from subject_prefixes
    inner join out_of_office_words as w on w.keyword = subject_prefixes.prefix
    where regexp_matches(
        substr(subject_prefixes.subject_lower, length(w.keyword) + 1),
        '^([\s\p{Z}]*(autoreply|auto reply|auto-reply))?[\s\p{Z}]*([:：\-]|$)'
    )
),

flagged as (
    select
        representative.*,
        subject_key(representative.subject) as subject_key,
        coalesce(representative.auto_submitted, 'no') <> 'no' as is_auto_submitted,
        coalesce(representative.precedence, '') in ('bulk', 'list', 'junk') as is_bulk,
        representative.list_id is not null as has_list_id,
        -- X-Auto-Response-Suppress is not a marker (docs/decisions.md); warehouses ingested before
        -- the parser stopped reading it still hold its values ('All', 'OOF, AutoReply'): skip those
        coalesce(representative.x_autoreply, 'no') not in ('no', 'false', '0')
            and not regexp_full_match(
                representative.x_autoreply,
                '\s*(all|none|(dr|ndr|rn|nrn|oof|autoreply)(\s*,\s*(dr|ndr|rn|nrn|oof|autoreply))*)\s*'
            ) as has_autoreply_header,
        coalesce(representative.content_type, '') = 'multipart/report' as is_report,
        out_of_office.message_id is not null as has_out_of_office_subject
    from representative
    left join out_of_office on out_of_office.message_id = representative.message_id
),

final as (
    select
        flagged.message_id,
        flagged.has_message_id,
        flagged.sent_at,
        flagged.date_header,
        flagged.from_addr,
        flagged.from_name,
        flagged.to_addrs,
        flagged.cc_addrs,
        flagged.subject,
        flagged.subject_normalized,
        flagged.subject_key,
        has_reply_prefix(flagged.subject) as has_reply_prefix,
        flagged.in_reply_to,
        flagged.references_ids,
        flagged.thread_index,
        flagged.gm_thread_id,
        (
            flagged.is_auto_submitted or flagged.is_bulk or flagged.has_list_id
            or flagged.has_autoreply_header or flagged.is_report or flagged.has_out_of_office_subject
        ) as is_auto_generated,
        concat_ws(', ',
            case when flagged.is_auto_submitted then 'Auto-Submitted' end,
            case when flagged.is_bulk then 'Precedence ' || flagged.precedence end,
            case when flagged.has_list_id then 'List-Id' end,
            case when flagged.has_autoreply_header then 'auto-reply header' end,
            case when flagged.is_report then 'delivery/read report' end,
            case when flagged.has_out_of_office_subject then 'out-of-office subject' end
        ) as auto_generated_reason,
        copies.sources,
        copies.source_copies,
        copies.copy_count,
        flagged.source_file,
        flagged.record
    from flagged
    inner join copies on copies.message_id = flagged.message_id
)

select * from final
