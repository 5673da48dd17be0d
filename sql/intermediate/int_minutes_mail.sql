-- Minutes e-mails sent to a client (int_email_evidence is_minutes_evidence with a client recipient: a
-- staff reply to comments is not new minutes), each with the meeting it serves and who answers for
-- it. Both minutes_signoff and minutes_confirmed open on each of them (STANDARDS.md: "each minutes
-- email sent to a client"), so the attribution is made once, here.
-- The meeting: the one int_meeting_mail_matched gave the mail, that of the mail's own account first,
-- else the latest. The account: the meeting's, else the mail's. The AE: the meeting's AE, else the
-- owner of the account, else the sender.
with minutes as (
    select * from int_email_evidence where is_minutes_evidence and has_client_recipient
),

served_meetings as (
    select * from int_meeting_mail_matched where evidence_kind = 'minutes' and message_id is not null
),

meetings as (
    select * from int_client_meetings
),

accounts as (
    select * from int_accounts
),

final as (
    select
        minutes.message_id,
        minutes.sent_at,
        minutes.from_addr,
        minutes.thread_id,
        minutes.subject,
        minutes.subject_key,
        minutes.source_copies,
        coalesce(meetings.account_key, minutes.message_account_key) as account_key,
        meetings.occurrence_id,
        meetings.start_at as meeting_start_at,
        meetings.summary as meeting_summary,
        coalesce(meetings.ae, accounts.owner_email, minutes.from_addr) as ae,
        coalesce(meetings.client_account, accounts.account_id) as client_account
    from minutes
    left join served_meetings on served_meetings.message_id = minutes.message_id
    left join meetings on meetings.occurrence_id = served_meetings.occurrence_id
    left join accounts on accounts.account_key = coalesce(meetings.account_key, minutes.message_account_key)
    qualify row_number() over (
        partition by minutes.message_id
        order by coalesce(meetings.account_key = minutes.message_account_key, false) desc, meetings.start_at desc
    ) = 1
)

select * from final
