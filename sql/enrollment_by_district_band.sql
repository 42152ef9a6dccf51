-- enrollment by district and export-size band (docs/rules.md)
-- key: (district, band_order); one row per district and band that has any firm
-- bands: none (no exports), (0, edge 1], (edge 1, edge 2], (edge 2, threshold], above;
-- edges come from the policy file through `params`; unknown_firm for enrolled
-- applications of no accepted firm (enrolled_firm_rejected: the firm's row was rejected;
-- enrolled_unknown_firm: no firm row at all)
with

params as (
    select band_1_usd, band_2_usd, threshold_usd, band_1_label, band_2_label, band_3_label
    from params
),

reconciliation as (
    select uscc, district, status, is_eligible, premium_cny, subsidy_cny
    from enrollment_reconciliation
),

firms as (
    select uscc, self_exports_usd
    from firm_eligibility
),

banded as (
    select
        reconciliation.district,
        reconciliation.status,
        reconciliation.premium_cny,
        reconciliation.subsidy_cny,
        case
            when firms.self_exports_usd is null then 5
            when firms.self_exports_usd = 0 then 0
            when firms.self_exports_usd <= params.band_1_usd then 1
            when firms.self_exports_usd <= params.band_2_usd then 2
            when firms.self_exports_usd <= params.threshold_usd then 3
            else 4
        end as band_order,
        case
            when firms.self_exports_usd is null then 'unknown_firm'
            when firms.self_exports_usd = 0 then 'none'
            when firms.self_exports_usd <= params.band_1_usd then params.band_1_label
            when firms.self_exports_usd <= params.band_2_usd then params.band_2_label
            when firms.self_exports_usd <= params.threshold_usd then params.band_3_label
            else 'above'
        end as export_band
    from reconciliation
    left join firms on firms.uscc = reconciliation.uscc
    cross join params
),

final as (
    select
        district,
        band_order,
        export_band,
        count(*) as firms,
        sum(case when status in ('eligible_enrolled', 'eligible_not_enrolled') then 1 else 0 end) as eligible,
        sum(case when status in ('eligible_enrolled', 'enrolled_not_eligible', 'enrolled_firm_rejected', 'enrolled_unknown_firm') then 1 else 0 end) as enrolled,
        sum(case when status = 'eligible_enrolled' then 1 else 0 end) as eligible_enrolled,
        sum(case when status = 'eligible_not_enrolled' then 1 else 0 end) as eligible_not_enrolled,
        sum(case when status = 'enrolled_not_eligible' then 1 else 0 end) as enrolled_not_eligible,
        sum(case when status = 'enrolled_firm_rejected' then 1 else 0 end) as enrolled_firm_rejected,
        sum(case when status = 'enrolled_unknown_firm' then 1 else 0 end) as enrolled_unknown_firm,
        sum(premium_cny) as premium_cny,
        sum(subsidy_cny) as subsidy_cny
    from banded
    group by district, band_order, export_band
)

select
    district,
    export_band,
    band_order,
    firms,
    eligible,
    enrolled,
    eligible_enrolled,
    eligible_not_enrolled,
    enrolled_not_eligible,
    enrolled_firm_rejected,
    enrolled_unknown_firm,
    -- eligible_enrolled / eligible to four decimals, half away from zero, as a decimal
    case when eligible = 0 then null
         else cast(cast(cast(floor((cast(eligible_enrolled as double) * 20000.0 + eligible) / (2.0 * nullif(eligible, 0))) as bigint)
                        as decimal(18, 4)) / 10000 as decimal(18, 4)) end as coverage_rate,
    premium_cny,
    subsidy_cny
from final
order by district, band_order
