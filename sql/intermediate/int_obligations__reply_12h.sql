-- reply_12h (对待客户的询问,12小时内回复): a client's message to staff (To or Cc) opens an
-- obligation, also inside threads staff started; further client messages in the thread before
-- any staff answer belong to the same obligation (it opens at the first of them). The answer is
-- the first later message in the thread from any staff member to a client address (a colleague
-- covering counts; the obligation stays with the account's AE). Auto-generated mail neither
-- opens nor answers. Due: opened + reply_hours, wall clock; or, with reply_business_hours,
-- reply_hours of working time (int_working_positions).
-- AE: the account's owner; without one, the first staff address in the opening message's To in
-- header order (as the client wrote it, not alphabetical), else the first staff address in Cc.
with messages as (
    select * from int_email_messages_resolved
    where is_visible and not is_auto_generated
),

threads as (
    select * from int_email_threads
),

accounts as (
    select * from int_accounts
),

positions as (
    select * from int_working_positions
),

params as (
    select * from run_params
),

inquiries as (
    select messages.*, threads.thread_id
    from messages
    inner join threads on threads.message_id = messages.message_id
    where messages.from_kind = 'client' and messages.has_staff_recipient
),

answers as (
    select messages.*, threads.thread_id
    from messages
    inner join threads on threads.message_id = messages.message_id
    where messages.from_kind = 'staff' and messages.has_client_recipient
),

inquiries_after_answer as (
    -- the last staff answer at or before each inquiry splits the thread into rounds
    select
        inquiries.*,
        answers.sent_at as previous_answer_at
    from inquiries
    asof left join answers
        on inquiries.thread_id = answers.thread_id
        and inquiries.sent_at >= answers.sent_at
),

rounds as (
    select
        thread_id,
        previous_answer_at,
        arg_min(message_id, (sent_at, message_id)) as opening_message_id,
        min(sent_at) as opened_at,
        count(*) as inquiry_count
    from inquiries_after_answer
    group by thread_id, previous_answer_at
),

opened as (
    select
        rounds.*,
        inquiries.from_account_key,
        inquiries.from_account_id,
        inquiries.staff_to_recipients,
        inquiries.staff_recipients,
        inquiries.subject,
        inquiries.source_copies as opening_copies
    from rounds
    inner join inquiries on inquiries.message_id = rounds.opening_message_id
),

answered as (
    select
        opened.*,
        answers.message_id as answer_message_id,
        answers.sent_at as answered_at,
        answers.from_addr as answered_by,
        answers.source_copies as answer_copies
    from opened
    asof left join answers
        on opened.thread_id = answers.thread_id
        and opened.opened_at < answers.sent_at
),

business_due as (
    -- reply_hours working hours after the opening (int_working_positions)
    select
        answered.*,
        positions.due_at as business_due_at
    from answered
    cross join params
    left join positions
        on positions.instant is not distinct from answered.opened_at
        and positions.working_hours = params.reply_hours
),

final as (
    select
        'reply_12h' as standard,
        business_due.opening_message_id as opening_key,
        coalesce(
            accounts.owner_email,
            business_due.staff_to_recipients[1],
            business_due.staff_recipients[1]
        ) as ae,
        coalesce(accounts.account_id, business_due.from_account_id) as client_account,
        business_due.opened_at,
        case
            when params.reply_business_hours then business_due.business_due_at
            else business_due.opened_at + hours_interval(params.reply_hours)
        end as due_at,
        business_due.answered_at as fulfilled_at,
        false as is_excused,
        list_concat(
            email_evidence_items(
                business_due.opening_copies, 'opened_by', business_due.opening_message_id, 'client message',
                case
                    when business_due.inquiry_count > 1
                        then ' (+' || (business_due.inquiry_count - 1) || ' later client message(s) before an answer)'
                end
            ),
            email_evidence_items(
                business_due.answer_copies, 'fulfilled_by', business_due.answer_message_id,
                'answered by ' || business_due.answered_by, null
            )
        ) as evidence_items,
        business_due.subject
    from business_due
    cross join params
    left join accounts on accounts.account_key = business_due.from_account_key
)

select * from final
