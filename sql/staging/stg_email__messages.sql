-- E-mail: one row per Message-ID. The same message found in several exported mailboxes is one
-- message here; every copy stays listed in `sources` ('file (record)') and `source_copies` (structs of
-- source_file and record, read by the evidence items: macro email_evidence_items). Auto-generated mail
-- (Auto-Submitted other than 'no', Precedence bulk/list/junk, List-Id, X-Autoreply and its
-- kin, delivery/read reports, out-of-office subjects) is flagged: it never opens or fulfils.
with source as (
    -- raw_row: the row's place in the table, to fetch the representative copy whole once chosen
    -- (read twice: the few columns that choose it, then the chosen rows' every column)
    select
        rowid as raw_row,
        *
    from raw_email_messages
),

source_rows as (
    select
        rowid as raw_row,
        *
    from raw_email_messages
),

raw_subjects as (
    -- every copy's subject (a copy not chosen as its message's representative adds an unused row)
    select distinct subject from raw_email_messages
),

out_of_office_words as (
    select lower(trim(keyword)) as keyword
    from classification_keywords
    where kind = 'out_of_office' and trim(keyword) <> ''
),

located as (
    -- every exported copy of a message, with its place in its mailbox
    select
        raw_row,
        trim(message_id) as message_id,
        sent_at,
        source_file,
        record,
        record_no(record) as record_no
    from source
    where nullif(trim(message_id), '') is not null
),

copies as (
    -- the copies in file and record order (a sorted list of structs: one plain aggregate), and
    -- the representative copy: copies of one message carry the same headers, one with a usable
    -- Date wins, then the first in file and record order (only its row number is carried: the
    -- copies' other columns are read once, for the representative alone)
    select
        message_id,
        list_sort(list({'source_file': source_file, 'record_no': record_no, 'record': record})) as copy_list,
        count(*) as copy_count,
        arg_min(
            raw_row, {'undated': sent_at is null, 'source_file': source_file, 'record_no': record_no}
        ) as representative_row
    from located
    group by message_id
),

representative as (
    select
        source_rows.* exclude (raw_row) replace (trim(source_rows.message_id) as message_id),
        copies.copy_list,
        copies.copy_count
    from copies
    inner join source_rows on source_rows.raw_row = copies.representative_row
),

cleaned as (
    select
        message_id,
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
        copy_list,
        copy_count
    from representative
),

subjects as (
    -- subjects repeat (a thread's replies, a weekly report's weeks): each distinct one is read once
    -- (read from the raw rows, so that the messages' rows are not held twice)
    select
        subject,
        subject_stripped(subject) as subject_normalized,
        subject_key(subject) as subject_key,
        has_reply_prefix(subject) as has_reply_prefix
    from (select distinct subject from raw_subjects)
),

subject_prefixes as (
    -- each subject's first n characters for every keyword length n: an equality join, not a scan
    select
        subjects.subject,
        lower(subjects.subject_normalized) as subject_lower,
        left(lower(subjects.subject_normalized), lengths.n) as prefix
    from subjects
    cross join (select distinct length(keyword) as n from out_of_office_words) as lengths
    where subjects.subject_normalized <> ''
),

out_of_office as (
    -- 'Automatic reply: ...', '自动回复：...', 'Out of Office AutoReply: ...', 'Out of office'
    select distinct subject_prefixes.subject
    from subject_prefixes
    inner join out_of_office_words as w on w.keyword = subject_prefixes.prefix
    where regexp_matches(
        substr(subject_prefixes.subject_lower, length(w.keyword) + 1),
        '^([\s\p{Z}]*(autoreply|auto reply|auto-reply))?[\s\p{Z}]*([:：\-]|$)'
    )
),

flagged as (
    select
        cleaned.*,
        subjects.subject_normalized,
        subjects.subject_key,
        subjects.has_reply_prefix,
        coalesce(cleaned.auto_submitted, 'no') <> 'no' as is_auto_submitted,
        coalesce(cleaned.precedence, '') in ('bulk', 'list', 'junk') as is_bulk,
        cleaned.list_id is not null as has_list_id,
        -- X-Auto-Response-Suppress is not a marker (docs/decisions.md); warehouses ingested before
        -- the parser stopped reading it still hold its values ('All', 'OOF, AutoReply'): skip those
        coalesce(cleaned.x_autoreply, 'no') not in ('no', 'false', '0')
            and not regexp_full_match(
                cleaned.x_autoreply,
                '\s*(all|none|(dr|ndr|rn|nrn|oof|autoreply)(\s*,\s*(dr|ndr|rn|nrn|oof|autoreply))*)\s*'
            ) as has_autoreply_header,
        coalesce(cleaned.content_type, '') = 'multipart/report' as is_report,
        out_of_office.subject is not null as has_out_of_office_subject
    from cleaned
    inner join subjects on subjects.subject is not distinct from cleaned.subject
    left join out_of_office on out_of_office.subject = cleaned.subject
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
        flagged.has_reply_prefix,
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
        list_transform(flagged.copy_list, lambda c: source_ref(c.source_file, c.record)) as sources,
        -- the same copies as structs, for structured evidence (macro email_evidence_items)
        list_transform(flagged.copy_list, lambda c: {'source_file': c.source_file, 'record': c.record})
            as source_copies,
        flagged.copy_count,
        flagged.source_file,
        flagged.record
    from flagged
)

select * from final
