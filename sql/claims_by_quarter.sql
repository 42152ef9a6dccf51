-- claims by quarter of notification, with the year-on-year change (SPEC §3.6; the
-- article: "13 claims in the first quarter of 2022, up 160% year on year")
-- key: (year, quarter); order: year, quarter
-- the change is in percent to two decimals, empty when last year's figure is zero
with

claims as (
    select notified_on, status, indemnity_usd
    from claim_indemnity
),

quarters as (
    select
        extract(year from notified_on) as year,
        extract(quarter from notified_on) as quarter,
        count(*) as claims,
        sum(case when status = 'paid' then indemnity_usd else 0 end) as paid_indemnity_usd
    from claims
    group by year, quarter
),

previous as (
    select year + 1 as next_year, quarter as same_quarter, claims as claims_prev, paid_indemnity_usd as paid_prev
    from quarters
),

final as (
    select
        quarters.year,
        quarters.quarter,
        quarters.claims,
        coalesce(previous.claims_prev, 0) as claims_last_year,
        case when coalesce(previous.claims_prev, 0) = 0 then null
             else round((cast(quarters.claims as double) - cast(previous.claims_prev as double)) * 100.0
                        / cast(previous.claims_prev as double), 2) end as claims_yoy_pct,
        quarters.paid_indemnity_usd,
        previous.paid_prev as paid_indemnity_last_year_usd,
        case when coalesce(cast(previous.paid_prev as double), 0.0) = 0.0 then null
             else round((cast(quarters.paid_indemnity_usd as double) - cast(previous.paid_prev as double)) * 100.0
                        / cast(previous.paid_prev as double), 2) end as paid_indemnity_yoy_pct
    from quarters
    left join previous on previous.next_year = quarters.year and previous.same_quarter = quarters.quarter
)

select year, quarter, claims, claims_last_year, claims_yoy_pct,
       paid_indemnity_usd, paid_indemnity_last_year_usd, paid_indemnity_yoy_pct
from final
order by year, quarter
