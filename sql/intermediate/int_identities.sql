-- Every address seen anywhere, classified: 'staff' (in the staff directory), 'client' (a CRM
-- contact's address, else an address at the web domain of a CRM account, subdomains included),
-- or 'other' (vendors, newsletters, private contacts: they open nothing). Staff wins over client.
-- Accounts whose type marks a vendor, partner or media owner (stg_crm__accounts.is_non_client)
-- make nobody a client, by contact or by domain. Public mail domains, social sites and the
-- agency's own domains (the staff's domains plus agency_domains) are never client domains: an
-- account whose Website is weibo.com/brand or gmail.com gives no address a client by domain;
-- only exact contact addresses there count. An address on several accounts goes to a customer
-- account first, then the lowest account id (deterministic).
with staff as (
    select * from stg_staff
),

contacts as (
    select * from stg_crm__contacts where not is_deleted
),

accounts as (
    select * from int_accounts where not is_deleted and not is_non_client
),

non_client_accounts as (
    select account_key from int_accounts where is_non_client
),

messages as (
    select * from stg_email__messages
),

addresses as (
    select from_addr as email from messages
    union select address from stg_email__recipients
    union select email from stg_calendar__attendees
    union select organizer_email from stg_calendar__occurrences
    union select participant_email from stg_attendance__sessions
    union select email from staff
    union select supervisor_email from staff
    union select email from contacts
    union select email from stg_crm__users
    union select owner_email from accounts
),

staff_domains as (
    select distinct email_domain(email) as domain from staff where email_domain(email) is not null
    union
    select value from identity_lists where kind = 'agency_domain' and value <> ''
),

never_client_domains as (
    -- a Website at one of these (or a subdomain: shop.jd.com, weibo.com/brand) is no client domain
    select domain from staff_domains
    union
    select value from identity_lists where kind in ('public_mail_domain', 'social_domain') and value <> ''
),

client_domain_accounts as (
    select accounts.*
    from accounts
    where accounts.web_domain is not null
        and not exists (
            select 1 from never_client_domains as never
            where accounts.web_domain = never.domain or ends_with(accounts.web_domain, '.' || never.domain)
        )
),

contact_matches as (
    select
        contacts.email,
        coalesce(accounts.account_id, contacts.account_key) as account_id,
        contacts.account_key,
        contacts.contact_id,
        contacts.contact_name
    from contacts
    left join accounts on accounts.account_key = contacts.account_key
    where contacts.email is not null and contacts.account_key is not null
        and contacts.account_key not in (select account_key from non_client_accounts)
    qualify row_number() over (
        partition by contacts.email
        order by coalesce(accounts.is_customer, false) desc, contacts.account_key, contacts.contact_key
    ) = 1
),

address_domains as (
    -- the address's domain and every parent domain (mail.brandco.com -> brandco.com -> com),
    -- so that subdomains meet the account's web domain with an equality join
    select
        email,
        array_to_string(list_slice(parts, i, len(parts)), '.') as domain,
        len(parts) - i as domain_depth
    from (
        select email, string_split(email_domain(email), '.') as parts
        from addresses
        where email_domain(email) is not null
            and email_domain(email) not in (select domain from staff_domains)
    )
    cross join range(1, 10) as r(i)  -- noqa: LT01
    where i < len(parts)
),

domain_matches as (
    select
        address_domains.email,
        accounts.account_id,
        accounts.account_key
    from address_domains
    inner join client_domain_accounts as accounts on accounts.web_domain = address_domains.domain
    qualify row_number() over (
        partition by address_domains.email
        order by address_domains.domain_depth desc, accounts.is_customer desc, accounts.account_key
    ) = 1
),

final as (
    select
        addresses.email,
        case
            when staff.email is not null then 'staff'
            when contact_matches.email is not null or domain_matches.email is not null then 'client'
            else 'other'
        end as identity_kind,
        staff.email is not null as is_staff,
        staff.email is null and (contact_matches.email is not null or domain_matches.email is not null) as is_client,
        case when staff.email is null then coalesce(contact_matches.account_id, domain_matches.account_id) end
            as account_id,
        case when staff.email is null then coalesce(contact_matches.account_key, domain_matches.account_key) end
            as account_key,
        case when staff.email is null then contact_matches.contact_id end as contact_id,
        coalesce(staff.name, contact_matches.contact_name) as person_name,
        case
            when staff.email is not null then 'staff_directory'
            when contact_matches.email is not null then 'crm_contact'
            when domain_matches.email is not null then 'account_domain'
        end as matched_by
    from addresses
    left join staff on staff.email = addresses.email
    left join contact_matches on contact_matches.email = addresses.email
    left join domain_matches on domain_matches.email = addresses.email
    where addresses.email is not null
)

select * from final
