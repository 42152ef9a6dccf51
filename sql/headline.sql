-- the headline of a run, one row: what the report's cards show and what the next run's
-- report compares with (docs/outputs.md)
-- firms and coverage, the money (the city's subsidy, premiums of enrolled firms that are
-- not eligible, indemnity paid and outstanding), the obligors whose cap is used up, the
-- blacklist hits and the possible matches still open for review
with

firms as (
    select
        count(*) as firms,
        coalesce(sum(case when is_eligible then 1 else 0 end), 0) as eligible
    from firm_eligibility
),

reconciliation as (
    select
        coalesce(sum(case when status = 'eligible_enrolled' then 1 else 0 end), 0) as eligible_enrolled,
        coalesce(sum(case when status = 'enrolled_not_eligible' then 1 else 0 end), 0) as enrolled_not_eligible,
        coalesce(sum(case when status in ('enrolled_firm_rejected', 'enrolled_unknown_firm') then 1 else 0 end), 0) as enrolled_no_firm,
        coalesce(sum(subsidy_cny), cast(0 as decimal(18, 2))) as subsidy_cny,
        coalesce(sum(case when status = 'enrolled_not_eligible' then premium_cny end), cast(0 as decimal(18, 2))) as premium_not_eligible_cny
    from enrollment_reconciliation
),

claims as (
    select
        count(*) as claims,
        coalesce(sum(paid_exposure_usd), cast(0 as decimal(18, 2))) as paid_usd,
        coalesce(sum(outstanding_exposure_usd), cast(0 as decimal(18, 2))) as outstanding_usd,
        coalesce(sum(cut_by_cap_usd), cast(0 as decimal(18, 2))) as cut_by_cap_usd
    from claim_indemnity
),

obligor_left as (
    select policy_no, obligor_type, obligor_key, min(capacity_left_usd) as capacity_left_usd
    from claim_indemnity
    where capacity_left_usd is not null
    group by policy_no, obligor_type, obligor_key
),

obligors as (
    select
        count(*) as obligors,
        coalesce(sum(case when capacity_left_usd = 0 then 1 else 0 end), 0) as obligors_capped
    from obligor_left
),

hits as (
    select
        coalesce(sum(case when is_hit then 1 else 0 end), 0) as blacklist_hits,
        coalesce(sum(case when review = 'cleared' then 1 else 0 end), 0) as possible_matches_cleared
    from blacklist_hits
),

queue as (
    select
        count(*) as possible_matches_open,
        coalesce(sum(case when is_new then 1 else 0 end), 0) as possible_matches_new
    from review_queue
)

select
    firms.firms,
    firms.eligible,
    reconciliation.eligible_enrolled,
    -- eligible_enrolled / eligible to four decimals, half away from zero, as a decimal
    case when firms.eligible = 0 then null
         else cast(cast(cast(floor((cast(reconciliation.eligible_enrolled as double) * 20000.0 + firms.eligible) / (2.0 * nullif(firms.eligible, 0))) as bigint)
                        as decimal(18, 4)) / 10000 as decimal(18, 4)) end as coverage_rate,
    reconciliation.enrolled_not_eligible,
    reconciliation.enrolled_no_firm,
    reconciliation.subsidy_cny,
    reconciliation.premium_not_eligible_cny,
    claims.claims,
    claims.paid_usd,
    claims.outstanding_usd,
    claims.cut_by_cap_usd,
    obligors.obligors,
    obligors.obligors_capped,
    hits.blacklist_hits,
    hits.possible_matches_cleared,
    queue.possible_matches_open,
    queue.possible_matches_new
from firms
cross join reconciliation
cross join claims
cross join obligors
cross join hits
cross join queue
