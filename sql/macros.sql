-- Small helpers shared by the models. Temporary: they live for the build's session only, the
-- warehouse keeps finished tables, not functions.

-- The number in a record locator ('line 17', 'message 3', 'VEVENT 2') for ordering; null if none.
create or replace temp macro record_no(record) as
    try_cast(regexp_extract(record, '(\d+)', 1) as bigint);

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

-- Evidence text for a calendar occurrence.
create or replace temp macro occurrence_ref(event_uid, occurrence_key, source_file, record) as
    'meeting UID ' || event_uid || ' occurrence ' || occurrence_key || ' in ' || source_ref(source_file, record);

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
