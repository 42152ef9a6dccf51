-- indemnity exposure by obligor country (docs/rules.md)
-- key: obligor_country; order: obligor_country
with

claims as (
    select obligor_country, is_covered, usd_loss, paid_exposure_usd, outstanding_exposure_usd, cut_by_cap_usd
    from claim_indemnity
),

final as (
    select
        obligor_country,
        count(*) as claims,
        sum(case when is_covered then 1 else 0 end) as covered,
        sum(case when usd_loss is null then 1 else 0 end) as unpriced,
        sum(usd_loss) as usd_loss,
        sum(paid_exposure_usd) as paid_usd,
        sum(outstanding_exposure_usd) as outstanding_usd,
        sum(cut_by_cap_usd) as cut_by_cap_usd
    from claims
    group by obligor_country
)

select obligor_country, claims, covered, unpriced, usd_loss, paid_usd, outstanding_usd, cut_by_cap_usd
from final
order by obligor_country
