-- Logged calls (callback): one row per call of stg_crm__activities, with its result and how it was
-- dated. is_missed: an inbound call nobody answered (STANDARDS.md, callback): canonical call_type
-- Missed, or Inbound with a result (Salesforce CallDisposition, canonical call_result, HubSpot Call
-- outcome) that contains one of missed_call_results (identity_lists; default 未接, 未接通, 无人接听,
-- missed, no answer, voicemail, busy, 占线: case-insensitive). Answered inbound calls and outbound
-- calls are not missed. is_date_only: the call has a date but no time (Salesforce Task ActivityDate,
-- placed at ingest on that local day: docs/formats.md); call_day is that local day (ActivityDate as
-- written, else the local date of activity_at), so that a call placed at 24:00 stays on its day.
with calls as (
    select * from stg_crm__activities where is_call
),

raw_activities as (
    select source_file, record, call_result, activity_date, start_at from raw_crm_activities
),

missed_results as (
    select value as result from identity_lists where kind = 'missed_call_result' and value <> ''
),

params as (
    select * from run_params
),

with_result as (
    select
        calls.activity_id,
        calls.activity_key,
        calls.object_type,
        calls.call_direction,
        nullif(trim(raw_activities.call_result), '') as call_result,
        calls.is_done,
        calls.activity_at,
        calls.created_at,
        raw_activities.activity_date is not null and raw_activities.start_at is null and calls.object_type = 'Task'
            as is_date_only,
        coalesce(
            case when calls.object_type = 'Task' and raw_activities.start_at is null then raw_activities.activity_date end,
            cast(timezone(params.business_timezone, calls.activity_at) as date)
        ) as call_day,
        calls.source_file,
        calls.record
    from calls
    cross join params
    left join raw_activities
        on raw_activities.source_file = calls.source_file and raw_activities.record = calls.record
),

final as (
    select
        with_result.*,
        coalesce(with_result.call_direction = 'missed', false)
            or coalesce(
                with_result.call_direction = 'inbound'
                and exists (
                    select 1 from missed_results
                    where contains(lower(regexp_replace(with_result.call_result, '\s+', ' ', 'g')), missed_results.result)
                ),
                false
            ) as is_missed
    from with_result
)

select * from final
