-- post_project_review (再次提升计划: 项目完成后会同有关部门召开总结评估会): after each project, hold a
-- review meeting with the departments concerned.
-- Opened (STANDARDS.md "Decisions for the other twelve") by each completed project: a won
-- opportunity (raw_crm_opportunities IsWon, not deleted; CloseDate is its local completion day) or a
-- canonical ProjectCompleted activity (its local day). A date-only close is placed at the
-- opportunity's CreatedDate when that falls on the close day, else at the end (24:00) of that day;
-- an activity at its own time. Due at 24:00 of the project_review_working_days-th (default 10th)
-- working day after the completion day (business_days: holidays and 调休 make-up days as the
-- calendar says).
-- Fulfilled by a calendar meeting (stg_calendar__occurrences, not cancelled, not all-day, seen by
-- as_of and started by then) whose title holds a review word (classification keywords
-- 'project_review': 复盘, 总结, 评估, 回顾, review, retrospective, post-mortem) and names the account
-- (its name; its name without legal suffixes 股份有限公司 / 有限公司 / 集团 / Co., Ltd. / Inc.; its
-- short name, Short_Name__c / canonical short_name) or the opportunity's name, starting on or after
-- the completion day: met by the due, after it late, none missed. One meeting reviews one project:
-- per account, the meetings in order each take the earliest completed project without a review that
-- they can serve (a meeting naming an opportunity serves that one only; greedy_matches,
-- sql/macros.sql, as in int_meeting_mail_matched); won opportunities without an account are one
-- queue of their own.
-- The AE is the account's owner (else the opportunity's owner when it is an address).
with accounts as (
    select * from int_accounts
),

occurrences as (
    select * from stg_calendar__occurrences
),

resolved as (
    select * from int_crm_activities_resolved
),

weeks as (
    select * from int_weeks
),

params as (
    select * from run_params
),

keywords as (
    select lower(trim(keyword)) as keyword
    from classification_keywords
    where kind = 'project_review' and trim(keyword) <> ''
),

working_days as (
    select day, day_end_at, row_number() over (order by day) as working_no
    from business_days
    where is_working_day
),

window_start as (
    select min(week_start_at) as start_at from weeks
),

account_names as (
    -- the texts that name an account: white space removed, lower case, at least two characters
    select distinct account_key, name_key
    from (
        select
            account_key,
            nullif(regexp_replace(lower(coalesce(name_text, '')), '[\s\p{Z}]+', '', 'g'), '') as name_key
        from (
            select
                id_key(raw.account_id) as account_key,
                unnest([
                    raw.name,
                    regexp_replace(
                        trim(coalesce(raw.name, '')),
                        '([\s,，.]*(股份有限公司|有限责任公司|有限公司|集团|co\.?,?\s*ltd\.?|ltd\.?|inc\.?|corp\.?|limited))+$',
                        '',
                        'i'
                    ),
                    raw.short_name
                ]) as name_text
            from raw_crm_accounts as raw
            where not coalesce(raw.is_deleted, false)
        )
    )
    where length(name_key) >= 2
),

opportunities as (
    select
        trim(opportunity_id) as project_id,
        id_key(opportunity_id) as project_key,
        'opportunity' as project_kind,
        id_key(account_id) as account_key,
        nullif(regexp_replace(lower(coalesce(name, '')), '[\s\p{Z}]+', '', 'g'), '') as project_name_key,
        name as project_name,
        close_date as completion_day,
        owner_id,
        created_at,
        source_file,
        record
    from raw_crm_opportunities
    where coalesce(is_won, false) and not coalesce(is_deleted, false) and close_date is not null
    qualify row_number() over (partition by id_key(opportunity_id) order by source_file desc, record_no(record) desc) = 1
),

projects as (
    select
        opportunities.project_id,
        opportunities.project_key,
        opportunities.project_kind,
        opportunities.account_key,
        opportunities.project_name_key,
        opportunities.project_name,
        opportunities.completion_day,
        case
            when cast(timezone(params.business_timezone, opportunities.created_at) as date) = opportunities.completion_day
                then opportunities.created_at
            else completion.day_end_at
        end as completed_at,
        coalesce(opportunities.created_at, completion.day_start_at) as logged_at,
        opportunities.owner_id,
        'crm_opportunity' as evidence_kind,  -- raw_crm_opportunities
        opportunities.source_file,
        opportunities.record
    from opportunities
    cross join params
    inner join business_days as completion on completion.day = opportunities.completion_day
    union all
    select
        resolved.activity_id,
        resolved.activity_key,
        'activity',
        resolved.account_key,
        nullif(regexp_replace(lower(coalesce(resolved.subject, '')), '[\s\p{Z}]+', '', 'g'), ''),
        resolved.subject,
        cast(timezone(params.business_timezone, resolved.activity_at) as date),
        resolved.activity_at,
        coalesce(resolved.created_at, resolved.activity_at),
        null,
        'crm',
        resolved.source_file,
        resolved.record
    from resolved
    cross join params
    where resolved.is_visible and resolved.account_key is not null
        and regexp_replace(lower(coalesce(resolved.activity_type, '')), '[\s_-]+', '', 'g') = 'projectcompleted'
),

completion_working_no as (
    select projects.project_key, working_days.working_no
    from projects
    asof left join working_days on projects.completion_day >= working_days.day
),

scheduled as (
    select
        projects.*,
        due_day.day_end_at as due_at,
        coalesce(accounts.owner_email, case when projects.owner_id like '%@%' then lower(trim(projects.owner_id)) end) as ae,
        accounts.account_id as client_account
    from projects
    cross join params
    left join completion_working_no on completion_working_no.project_key = projects.project_key
    left join working_days as due_day
        on due_day.working_no = coalesce(completion_working_no.working_no, 0) + params.project_review_working_days
    left join accounts on accounts.account_key = projects.account_key
    where projects.logged_at <= params.as_of
),

review_meetings as (
    select
        occurrences.occurrence_id,
        occurrences.start_at,
        occurrences.summary,
        occurrences.source_file,
        occurrences.record,
        regexp_replace(lower(coalesce(occurrences.summary, '')), '[\s\p{Z}]+', '', 'g') as title_text
    from occurrences
    cross join params
    where not occurrences.is_cancelled and not occurrences.is_all_day
        and occurrences.start_at <= params.as_of
        and (occurrences.first_created_at is null or occurrences.first_created_at <= params.as_of)
        and exists (select 1 from keywords where contains(lower(coalesce(occurrences.summary, '')), keywords.keyword))
),

candidates as (
    -- the projects a review meeting can serve: it names the opportunity (then that one only) or the
    -- account, and starts on or after the completion day
    select
        scheduled.account_key,
        review_meetings.occurrence_id,
        review_meetings.start_at,
        scheduled.project_key,
        scheduled.completed_at,
        scheduled.project_name_key is not null and contains(review_meetings.title_text, scheduled.project_name_key)
            as names_project
    from review_meetings
    cross join params
    inner join scheduled
        on cast(timezone(params.business_timezone, review_meetings.start_at) as date) >= scheduled.completion_day
    where (scheduled.project_name_key is not null and contains(review_meetings.title_text, scheduled.project_name_key))
        or exists (
            select 1 from account_names
            where account_names.account_key = scheduled.account_key
                and contains(review_meetings.title_text, account_names.name_key)
        )
),

queue as (
    -- each meeting with the projects of the account it can serve, earliest completed first
    select
        account_key,
        occurrence_id,
        start_at,
        -- a meeting naming a project serves only the projects it names
        case
            when bool_or(names_project) then list(project_key order by completed_at, project_key) filter (where names_project)
            else list(project_key order by completed_at, project_key)
        end as project_keys
    from candidates
    group by account_key, occurrence_id, start_at
),

served as (
    -- per account, the meetings in order each take the first project of their list that no earlier
    -- meeting took (greedy_matches, sql/macros.sql)
    select
        account_key,
        unnest(
            greedy_matches(list({'evidence_key': occurrence_id, 'candidate_keys': project_keys} order by start_at, occurrence_id)),
            recursive := true
        )
    from queue
    group by account_key
),

reviews as (
    select served.candidate_key as project_key, review_meetings.*
    from served
    inner join review_meetings on review_meetings.occurrence_id = served.evidence_key
    where served.candidate_key is not null
),

final as (
    select
        'post_project_review' as standard,
        scheduled.project_kind || ' ' || scheduled.project_id as opening_key,
        scheduled.ae,
        scheduled.client_account,
        scheduled.completed_at as opened_at,
        scheduled.due_at,
        reviews.start_at as fulfilled_at,
        false as is_excused,
        list_concat(
            [evidence_item(scheduled.evidence_kind, 'opened_by', scheduled.source_file, scheduled.record,
                scheduled.project_id, 'project completed',
                ' on ' || strftime(scheduled.completion_day, '%Y-%m-%d'))],
            case when reviews.occurrence_id is not null then
                [evidence_item('calendar', 'fulfilled_by', reviews.source_file, reviews.record, reviews.occurrence_id,
                    'review meeting', ' starting ' || local_minute(reviews.start_at, params.business_timezone))]
            else [] end
        ) as evidence_items,
        case when reviews.occurrence_id is null then 'no review meeting naming the account or project' end
            as evidence_tail,
        scheduled.project_name as subject
    from scheduled
    cross join params
    cross join window_start
    left join reviews on reviews.project_key = scheduled.project_key
    where scheduled.due_at >= window_start.start_at
)

select * from final
