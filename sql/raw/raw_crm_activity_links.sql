-- Which accounts and contacts an activity concerns, when the CRM keeps that in association tables
-- (HubSpot engagement_company / engagement_contact replicated by Fivetran).
create table if not exists raw_crm_activity_links (
    activity_id  varchar not null,
    linked_id    varchar not null,
    linked_type  varchar not null,   -- account | contact
    source_file  varchar not null,
    record       varchar not null
);
