-- exposure and capacity left per (policy, obligor) (docs/rules.md)
-- key: (policy_no, obligor_type, obligor_key); order: capacity left, then key, so the
-- obligors closest to their cap come first
with

claims as (
    select policy_no, obligor_type, obligor_key, obligor_country, is_covered, status,
           usd_loss, cap_usd, indemnity_usd, paid_exposure_usd, outstanding_exposure_usd, cut_by_cap_usd
    from claim_indemnity
),

final as (
    select
        policy_no,
        obligor_type,
        obligor_key,
        min(obligor_country) as obligor_country,
        count(*) as claims,
        sum(case when is_covered then 1 else 0 end) as covered,
        sum(usd_loss) as usd_loss,
        sum(indemnity_usd) as indemnity_usd,
        sum(paid_exposure_usd) as paid_usd,
        sum(outstanding_exposure_usd) as outstanding_usd,
        sum(cut_by_cap_usd) as cut_by_cap_usd,
        max(cap_usd) as cap_usd
    from claims
    group by policy_no, obligor_type, obligor_key
)

select
    policy_no,
    obligor_type,
    obligor_key,
    obligor_country,
    claims,
    covered,
    usd_loss,
    indemnity_usd,
    paid_usd,
    outstanding_usd,
    cut_by_cap_usd,
    cap_usd,
    cap_usd - coalesce(indemnity_usd, 0) as capacity_left_usd
from final
order by capacity_left_usd nulls last, policy_no, obligor_type, obligor_key
