-- Small helpers shared by the models. Temporary: they live for the build's session only, the
-- warehouse keeps finished tables, not functions.

-- The number in a record locator ('line 17', 'message 3', 'VEVENT 2') for ordering; null if none.
create or replace temp macro record_no(record) as
    -- the trailing number ('sheet 2024 row 5' is row 5), else the first one
    coalesce(try_cast(regexp_extract(record, '(\d+)\s*$', 1) as bigint),
             try_cast(regexp_extract(record, '(\d+)', 1) as bigint));

-- A CRM id for joins: Salesforce writes an id as 15 characters or as 18 (15 + a 3-character
-- case checksum from A-Z0-5); both forms of one record must meet. Other ids are kept as written.
create or replace temp macro id_key(id) as
    case
        when regexp_full_match(trim(id), '[a-zA-Z0-9]{15}[A-Z0-5]{3}') then left(trim(id), 15)
        else nullif(trim(id), '')
    end;

-- An e-mail address as compared everywhere: trimmed, lower-cased, mailto: dropped; '' -> null.
create or replace temp macro email_key(addr) as
    nullif(regexp_replace(lower(trim(addr)), '^mailto:', ''), '');

-- Subjects are compared with Unicode white space: \s is ASCII only in RE2, so [\s\p{Z}] also
-- takes the ideographic space U+3000 ('回复：　周报'), NBSP U+00A0 and the other separators.
-- Gateway tags that mail servers put before (or between) prefixes of mail from outside:
-- [External] [EXT] [外部] 【外部】 【外部邮件】 ... (docs/decisions.md, E-mail). Only these words:
-- other bracketed text ('【会议纪要】', '[BrandCo]') is the subject's own and stays.
create or replace temp macro subject_tag_pattern() as
    '[\[［【〔][\s\p{Z}]*(external|ext|external email|external mail|external sender|外部|外部邮件|外部郵件|外部来信|外部來信|外部发件人|外部寄件者)[\s\p{Z}]*[\]］】〕]';

-- A reply prefix (Re: RE: AW: 回复: 答复: 回覆: 答覆:), optionally counted (Re[2]:), ASCII or
-- full-width colon; and a forward prefix (Fwd: FW: 转发: 轉寄: 轉發:).
create or replace temp macro reply_prefix_pattern() as
    '(re|aw|回复|答复|回覆|答覆)[\s\p{Z}]*(\[\d+\])?[\s\p{Z}]*[:：]';

create or replace temp macro forward_prefix_pattern() as
    '(fwd|fw|转发|轉寄|轉發)[\s\p{Z}]*(\[\d+\])?[\s\p{Z}]*[:：]';

-- A subject without reply/forward prefixes and gateway tags, repeated or nested in any order
-- ('【外部】回复：Re: 周报' -> '周报'), without leading and trailing white space; case kept.
create or replace temp macro subject_stripped(s) as
    regexp_replace(
        regexp_replace(
            coalesce(s, ''),
            '^[\s\p{Z}]*((' || subject_tag_pattern() || '|' || reply_prefix_pattern() || '|'
                || forward_prefix_pattern() || ')[\s\p{Z}]*)*',
            '',
            'i'
        ),
        '[\s\p{Z}]+$',
        ''
    );

-- The subject as a comparison key: prefixes and tags stripped, lower-cased, any white space
-- (U+3000 and NBSP included) collapsed to one ASCII space.
create or replace temp macro subject_key(s) as
    nullif(lower(regexp_replace(subject_stripped(s), '[\s\p{Z}]+', ' ', 'g')), '');

-- The web domain of an account's Website: scheme, 'www.', port, path and query stripped.
create or replace temp macro web_domain(url) as
    nullif(
        regexp_replace(
            regexp_replace(lower(trim(coalesce(url, ''))), '^[a-z][a-z0-9+.-]*://', ''),
            '^(www\d*\.)?([^/:?#@\s]+).*$',
            '\2'
        ),
        ''
    );

-- The domain of an e-mail address.
create or replace temp macro email_domain(addr) as
    nullif(split_part(addr, '@', 2), '');

-- Hours between two instants (fractional).
create or replace temp macro hours_between(a, b) as
    epoch(b - a) / 3600.0;

-- Evidence text for a source row: 'email/ae.mbox (message 3)'.
create or replace temp macro source_ref(source_file, record) as
    source_file || ' (' || record || ')';

-- Monday 00:00 (business time zone) of the ISO week holding instant ts, as an instant.
create or replace temp macro local_week_start_at(ts, tz) as
    timezone(tz, date_trunc('week', timezone(tz, ts)));

-- The subject starts with a reply prefix (Re:, AW:, 回复:, 答复: ...), gateway tags before it
-- skipped ('【外部】回复：', '[EXT] RE:'): the message says it answers.
create or replace temp macro has_reply_prefix(s) as
    regexp_matches(
        coalesce(s, ''),
        '^[\s\p{Z}]*(' || subject_tag_pattern() || '[\s\p{Z}]*)*' || reply_prefix_pattern(),
        'i'
    );

-- (Whether a staff member is an AE is stg_staff.is_ae: a configured AE role (identity_lists
-- 'ae_role'), or an empty role and a client account of their own in the CRM.)

-- A configured number of hours (minutes) as an interval, rounded to the microsecond.
create or replace temp macro hours_interval(hours) as
    to_microseconds(cast(round(hours * 3600000000) as bigint));

create or replace temp macro minutes_interval(minutes) as
    to_microseconds(cast(round(minutes * 60000000) as bigint));

-- An instant as local time (business time zone) to the minute, for evidence: '2025-10-13 14:30'.
create or replace temp macro local_minute(ts, tz) as
    strftime(timezone(tz, ts), '%Y-%m-%d %H:%M');

-- An ISO week for evidence: 'week 2025-W41'.
create or replace temp macro week_label(iso_year, iso_week) as
    'week ' || iso_year || '-W' || lpad(cast(iso_week as varchar), 2, '0');

-- Preparing a meeting (agenda_48h, internal_notice_24h), docs/decisions.md: opened Monday 00:00 of
-- the deadline's week, or when the meeting entered the calendar (CREATED) if later, never after
-- the deadline.
create or replace temp macro meeting_prep_opened_at(due_at, created_at, tz) as
    least(
        due_at,
        greatest(local_week_start_at(due_at, tz), coalesce(created_at, local_week_start_at(due_at, tz)))
    );

-- The meeting entered the calendar (CREATED) after its preparation deadline.
create or replace temp macro is_booked_after_deadline(created_at, due_at) as
    coalesce(created_at > due_at, false);

-- ... and is so excused, unless its evidence was on time anyway.
create or replace temp macro is_excused_late_booking(created_at, due_at, fulfilled_at) as
    is_booked_after_deadline(created_at, due_at) and (fulfilled_at is null or fulfilled_at > due_at);

-- The subject starts with a forward prefix (Fwd:, FW:, 转发: ...): a forward is new evidence even
-- when the mailer set In-Reply-To (STANDARDS.md "Classification of messages").
create or replace temp macro has_forward_prefix(s) as
    regexp_matches(coalesce(s, ''), '^\s*(fwd|fw|转发|轉寄|轉發)\s*(\[\d+\])?\s*[:：]', 'i');

-- The rate of a standard (STANDARDS.md): met / (met + late + missed), null when nothing was
-- evaluated. The one definition: every mart and aemetrics.api.Warehouse.rates use it.
create or replace temp macro kpi_rate(met, late, missed) as
    case when met + late + missed > 0 then met / (met + late + missed) end;

-- Wilson score interval of a proportion met / n at critical value z (e.g. 1.96 for 95 %):
-- (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n); null when n is 0.
create or replace temp macro wilson_low(met, n, z) as
    case when n > 0 then
        (met / n + z * z / (2 * n) - z * sqrt((met / n) * (1 - met / n) / n + z * z / (4 * n * n))) / (1 + z * z / n)
    end;

create or replace temp macro wilson_high(met, n, z) as
    case when n > 0 then
        (met / n + z * z / (2 * n) + z * sqrt((met / n) * (1 - met / n) / n + z * z / (4 * n * n))) / (1 + z * z / n)
    end;

-- Two-proportion z statistic (pooled standard error) of met1/n1 against met2/n2; null when a
-- sample is empty or the pooled proportion is 0 or 1 (no variance: nothing to test).
create or replace temp macro two_proportion_z(met1, n1, met2, n2) as
    case when n1 > 0 and n2 > 0 and (met1 + met2) > 0 and (met1 + met2) < (n1 + n2) then
        (met1 / n1 - met2 / n2)
            / sqrt(((met1 + met2) / (n1 + n2)) * (1 - (met1 + met2) / (n1 + n2)) * (1.0 / n1 + 1.0 / n2))
    end;

-- Monday (local date) of the week under review: the latest ISO week that ended at or before
-- as_of in the business time zone (aemetrics.api.Warehouse.latest_complete_week says the same).
create or replace temp macro review_week_start(as_of, tz) as
    cast(date_trunc('week', timezone(tz, as_of)) as date) - 7;

-- Structured evidence (docs/decisions.md "Statuses, ids, evidence, marts"). Every standard's model
-- emits `evidence_items`, a list of these structs: kind ('email', 'calendar', 'crm', 'crm_account',
-- 'attendance', 'staff': which raw table holds the row), role ('opened_by', 'fulfilled_by',
-- 'confirmed_by', 'notified_by', 'accountable'), source_file and record (the export row), key
-- (Message-ID, 'UID / occurrence key', CRM id, participant, staff address), label (the words
-- written before the reference) and note (the words written after it). A message found in several
-- mailboxes is one item per copy, same key.
create or replace temp macro evidence_item(kind, role, source_file, record, key, label, note) as
    {
        'kind': cast(kind as varchar),
        'role': cast(role as varchar),
        'source_file': cast(source_file as varchar),
        'record': cast(record as varchar),
        'key': cast(key as varchar),
        'label': cast(label as varchar),
        'note': cast(note as varchar)
    };

-- One item per copy of a message (stg_email__messages.source_copies); no message: [].
create or replace temp macro email_evidence_items(source_copies, role, message_id, label, note) as
    coalesce(
        list_transform(
            source_copies,
            lambda c: evidence_item('email', role, c.source_file, c.record, message_id, label, note)
        ),
        []
    );

-- An item that may be absent (a left join found nothing): [] when its row is unknown.
create or replace temp macro evidence_items_if(item) as
    case when item.source_file is not null then [item] else [] end;

-- How an item names its row's key.
create or replace temp macro evidence_key_ref(kind, key) as
    case kind
        when 'email' then 'Message-ID <' || key || '>'
        when 'calendar' then 'UID ' || regexp_replace(key, '^(.*) / ([^ ]*)$', '\1 occurrence \2')
        else key
    end;

-- THE evidence sentence, the one place where evidence text is written: head words, then each item
-- as '<label> <key> in <file> (<record>)<note>' (the further copies of one message added as
-- ', <file> (<record>)'), then tail words; parts separated by '; ', empty parts skipped.
-- Not linted (noqa): the SQL linter cannot parse the two-argument lambda (`lambda x, i:`) below.
-- noqa: disable=all
create or replace temp macro evidence_sentence(head, items, tail) as
    concat_ws(
        '; ',
        nullif(head, ''),
        nullif(
            array_to_string(
                list_transform(
                    items,
                    lambda x, i:
                        case
                            when i = 1 then ''
                            when items[i - 1].kind = x.kind and items[i - 1].key = x.key
                                and items[i - 1].role = x.role then ', '
                            else '; '
                        end
                        || case
                            when i > 1 and items[i - 1].kind = x.kind and items[i - 1].key = x.key
                                and items[i - 1].role = x.role then ''
                            else coalesce(x.label || ' ', '') || evidence_key_ref(x.kind, x.key) || ' in '
                        end
                        || source_ref(x.source_file, x.record)
                        || case
                            when i < len(items) and items[i + 1].kind = x.kind and items[i + 1].key = x.key
                                and items[i + 1].role = x.role then ''
                            else coalesce(x.note, '')
                        end
                ),
                ''
            ),
            ''
        ),
        nullif(tail, '')
    );
-- noqa: enable=all

-- A person's name as meeting reports compare it: trimmed, runs of white space collapsed, lower case.
create or replace temp macro person_name_key(s) as
    nullif(lower(regexp_replace(trim(coalesce(s, '')), '\s+', ' ', 'g')), '');

-- The keys a staff member is known by in meeting reports: the directory name and every alias of
-- staff.csv's meeting_names (separated by ; , ， ； 、 or |).
create or replace temp macro meeting_name_list(name, aliases) as
    list_filter(
        list_distinct(list_prepend(person_name_key(name), list_transform(
            regexp_split_to_array(coalesce(aliases, ''), '[;,，；、|]'), lambda x: person_name_key(x)))),
        lambda x: x is not null
    );

-- The keys of a participant name in a meeting report: the whole name, and for Tencent Meeting's
-- '昵称(真实姓名)' (half- or full-width brackets) the nickname and the real name on their own.
create or replace temp macro participant_name_keys(s) as
    list_filter(list_distinct([
        person_name_key(s),
        person_name_key(regexp_extract(coalesce(s, ''), '^(.*?)[(（]', 1)),
        person_name_key(regexp_extract(coalesce(s, ''), '[(（]([^()（）]*)[)）]\s*$', 1))
    ]), lambda x: x is not null);

-- One piece of evidence, one candidate, greedily in order: the matching rule shared by
-- int_meeting_mail_matched (agenda/minutes -> meetings), int_obligations__work_order (work orders
-- -> requests), __estimate_first (quotes -> work orders), __minutes_confirmed (calls -> minutes)
-- and __post_project_review (review meetings -> projects); docs/decisions.md "Build mechanics".
-- `steps` is one queue (a model's partition, e.g. one account): its pieces of evidence in the
-- queue's order, each a struct {evidence_key, candidate_keys} listing the candidates it may take
-- in its order of preference. Each piece takes the first of its candidates that no earlier piece
-- of the queue took; one whose candidates are all taken (or none) takes nothing, is never shifted
-- to another candidate and takes nothing away from later pieces; a null candidate is none.
-- Returns one {evidence_key, candidate_key} per step, in order (candidate_key null: nothing).
-- What differs between the models is data, built by each model in its queue: the queue's
-- partition, the order of the evidence and each candidate list (which candidates, which first).
-- A left fold (list_reduce) over the candidate lists carrying the candidates taken so far (the
-- step-by-step greedy executed as written), zipped back with the evidence keys.
-- Not linted (noqa): the SQL linter cannot parse the two-argument lambda (`lambda chosen, candidates:`).
-- noqa: disable=all
create or replace temp macro greedy_matches(steps) as
    list_transform(
        list_zip(
            list_transform(steps, lambda step: step.evidence_key),
            list_reduce(
                list_transform(steps, lambda step: step.candidate_keys),
                lambda chosen, candidates: list_append(
                    chosen,
                    list_filter(candidates, lambda c: c is not null and not list_contains(chosen, c))[1]
                ),
                []
            )
        ),
        lambda pair: {'evidence_key': pair[1], 'candidate_key': pair[2]}
    );
-- noqa: enable=all
