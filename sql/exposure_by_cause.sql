-- indemnity exposure by cause of loss (docs/rules.md)
-- key: cause; order: cause
with

claims as (
    select cause, is_covered, usd_loss, paid_exposure_usd, outstanding_exposure_usd, cut_by_cap_usd
    from claim_indemnity
),

final as (
    select
        cause,
        count(*) as claims,
        sum(case when is_covered then 1 else 0 end) as covered,
        sum(case when usd_loss is null then 1 else 0 end) as unpriced,
        sum(usd_loss) as usd_loss,
        sum(paid_exposure_usd) as paid_usd,
        sum(outstanding_exposure_usd) as outstanding_usd,
        sum(cut_by_cap_usd) as cut_by_cap_usd
    from claims
    group by cause
)

select cause, claims, covered, unpriced, usd_loss, paid_usd, outstanding_usd, cut_by_cap_usd
from final
order by cause
