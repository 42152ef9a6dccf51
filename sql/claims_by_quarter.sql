-- claims by quarter of notification, with the year-on-year change (docs/rules.md; the
-- article: "13 claims in the first quarter of 2022, up 160% year on year")
-- key: (year, quarter); order: year, quarter
-- the change is in percent to two decimals, rounded half away from zero (written with
-- floor, since round() rounds halves to even) and kept as a decimal, empty when last
-- year's figure is zero
with

claims as (
    select notified_on, status, indemnity_usd
    from claim_indemnity
),

by_quarter as (
    select
        extract(year from notified_on) as year,
        extract(quarter from notified_on) as quarter,
        count(*) as claims,
        sum(case when status = 'paid' then indemnity_usd else 0 end) as paid_indemnity_usd
    from claims
    group by year, quarter
),

current_year as (
    select year, quarter, claims, paid_indemnity_usd,
           round(cast(paid_indemnity_usd as double) * 100.0) as paid_cents
    from by_quarter
),

previous as (
    select year + 1 as next_year, quarter as same_quarter, claims as claims_prev,
           paid_indemnity_usd as paid_prev, paid_cents as paid_prev_cents
    from current_year
),

final as (
    select
        current_year.year,
        current_year.quarter,
        current_year.claims,
        coalesce(previous.claims_prev, 0) as claims_last_year,
        case when coalesce(previous.claims_prev, 0) = 0 then null
             when current_year.claims >= previous.claims_prev
                 then floor((cast(current_year.claims - previous.claims_prev as double) * 20000.0 + previous.claims_prev)
                            / (2.0 * nullif(previous.claims_prev, 0)))
             else -floor((cast(previous.claims_prev - current_year.claims as double) * 20000.0 + previous.claims_prev)
                         / (2.0 * nullif(previous.claims_prev, 0))) end as claims_yoy_basis_points,
        current_year.paid_indemnity_usd,
        previous.paid_prev as paid_indemnity_last_year_usd,
        case when coalesce(previous.paid_prev_cents, 0.0) = 0.0 then null
             when current_year.paid_cents >= previous.paid_prev_cents
                 then floor(((current_year.paid_cents - previous.paid_prev_cents) * 20000.0 + previous.paid_prev_cents)
                            / (2.0 * nullif(previous.paid_prev_cents, 0.0)))
             else -floor(((previous.paid_prev_cents - current_year.paid_cents) * 20000.0 + previous.paid_prev_cents)
                         / (2.0 * nullif(previous.paid_prev_cents, 0.0))) end as paid_yoy_basis_points
    from current_year
    left join previous on previous.next_year = current_year.year and previous.same_quarter = current_year.quarter
)

select
    year,
    quarter,
    claims,
    claims_last_year,
    cast(cast(cast(claims_yoy_basis_points as bigint) as decimal(18, 2)) / 100 as decimal(18, 2)) as claims_yoy_pct,
    paid_indemnity_usd,
    paid_indemnity_last_year_usd,
    cast(cast(cast(paid_yoy_basis_points as bigint) as decimal(18, 2)) / 100 as decimal(18, 2)) as paid_indemnity_yoy_pct
from final
order by year, quarter
