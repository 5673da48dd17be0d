-- One row per message per file it was found in: the same Message-ID in two mailboxes is two
-- rows here and one message in staging (stg_email__messages), which keeps every source as evidence.
create table if not exists raw_email_messages (
    message_id       varchar not null,  -- without <>, as written; synthetic '<sha1>@aemetrics.invalid' when absent
    has_message_id   boolean not null,
    sent_at          timestamptz,       -- Date header converted to UTC; null when absent/unparseable
    date_header      varchar,           -- the Date header as written (evidence, debugging)
    from_addr        varchar,           -- lower-cased address
    from_name        varchar,
    to_addrs         varchar[],         -- lower-cased addresses
    cc_addrs         varchar[],
    subject          varchar,           -- RFC 2047 decoded, unfolded
    in_reply_to      varchar,           -- first msg-id, without <>
    "references"     varchar[],         -- msg-ids in order, without <>
    auto_submitted   varchar,
    precedence       varchar,
    list_id          varchar,
    x_autoreply      varchar,           -- X-Autoreply / X-Autorespond, as written (not X-Auto-Response-Suppress)
    content_type     varchar,           -- top-level MIME type, e.g. multipart/report
    thread_index     varchar,           -- Outlook Thread-Index (base64)
    thread_topic     varchar,
    gm_thread_id     varchar,           -- X-GM-THRID
    body_text        varchar,           -- null unless settings.store_bodies
    source_file      varchar not null,
    record           varchar not null   -- 'message N' (mbox, 1-based) or 'file' (.eml/.msg)
);

-- minutes_signoff (STANDARDS.md): approval / negation words in the first 1,000 characters of the
-- body (before any quoted text), read at ingest; only the flags are kept (null: no readable body).
-- Added with issue 11, so older warehouses gain the columns here.
alter table raw_email_messages add column if not exists has_approval_word boolean;
alter table raw_email_messages add column if not exists has_negation_word boolean;
