//! Currency conversion to USD at central-parity fixings, exact and rounded once.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::model::FxRate;

/// Fixings by currency, sorted by date.
pub struct FxTable<'a> {
    by_currency: HashMap<&'a str, Vec<&'a FxRate>>,
}

/// A conversion factor: USD per unit of the claim currency, as an exact fraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The fixing used for the claim currency (`None` for USD and CNY).
    pub rate: Option<FxRate>,
    /// The USD fixing used (`None` for USD).
    pub usd_rate: Option<FxRate>,
    numerator: i128,
    denominator: i128,
}

impl<'a> FxTable<'a> {
    pub fn new(rates: &'a [FxRate]) -> Self {
        let mut by_currency: HashMap<&str, Vec<&FxRate>> = HashMap::new();
        for r in rates {
            by_currency.entry(r.currency.as_str()).or_default().push(r);
        }
        for v in by_currency.values_mut() {
            v.sort_by_key(|r| r.rate_date);
        }
        FxTable { by_currency }
    }

    /// The latest fixing of `currency` on or before `d`.
    pub fn latest(&self, currency: &str, d: NaiveDate) -> Option<&'a FxRate> {
        let v = self.by_currency.get(currency)?;
        let n = v.partition_point(|r| r.rate_date <= d);
        n.checked_sub(1).map(|i| v[i])
    }

    /// How to turn an amount of `currency` into USD on `d`; `None` when a fixing is missing.
    pub fn conversion(&self, currency: &str, d: NaiveDate) -> Option<Conversion> {
        if currency == "USD" {
            return Some(Conversion { rate: None, usd_rate: None, numerator: 1, denominator: 1 });
        }
        let usd = self.latest("USD", d)?;
        // CNY per USD = usd.mantissa / 10^usd.scale / usd.units
        let (num_ccy, den_ccy, rate) = if currency == "CNY" {
            (1i128, 1i128, None)
        } else {
            let r = self.latest(currency, d)?;
            (r.mantissa, 10i128.checked_pow(r.scale)?.checked_mul(r.units as i128)?, Some(r.clone()))
        };
        // usd per unit = (num_ccy/den_ccy) / (usd.mantissa / (10^scale × units))
        let numerator = num_ccy.checked_mul(10i128.checked_pow(usd.scale)?)?.checked_mul(usd.units as i128)?;
        let denominator = den_ccy.checked_mul(usd.mantissa)?;
        Some(Conversion { rate, usd_rate: Some(usd.clone()), numerator, denominator })
    }
}

impl Conversion {
    /// `cents` of the currency in USD cents, rounded half away from zero; `None` on overflow.
    pub fn to_usd_cents(&self, cents: i64) -> Option<i64> {
        let n = (cents as i128).checked_mul(self.numerator)?;
        i64::try_from(div_round_half_away(n, self.denominator)).ok()
    }
}

impl Conversion {
    /// The insurer's share of a recovery: `recovered` (claim currency, cents) in USD ×
    /// `indemnity` ÷ `usd_loss`, computed exactly and rounded once, half away from zero.
    /// Should the exact product not fit in 128 bits, the recovery is converted (and
    /// rounded) first.
    pub fn share_of(&self, recovered: i64, indemnity: i64, usd_loss: i64) -> i64 {
        let exact = (recovered as i128)
            .checked_mul(self.numerator)
            .and_then(|n| n.checked_mul(indemnity as i128))
            .zip(self.denominator.checked_mul(usd_loss as i128));
        match exact {
            Some((n, d)) if d > 0 => div_round_half_away(n, d) as i64,
            _ => match self.to_usd_cents(recovered) {
                Some(r) if usd_loss > 0 => div_round_half_away(r as i128 * indemnity as i128, usd_loss as i128) as i64,
                _ => 0,
            },
        }
    }
}

/// n ÷ d rounded half away from zero (d > 0).
pub fn div_round_half_away(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d { q + n.signum() } else { q }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(c: &str, d: &str, m: i128, scale: u32, units: i64) -> FxRate {
        FxRate { currency: c.into(), rate_date: crate::values::parse_date(d, false).unwrap(), mantissa: m, scale, units }
    }

    fn d(s: &str) -> NaiveDate {
        crate::values::parse_date(s, false).unwrap()
    }

    #[test]
    fn latest_fixing_on_or_before() {
        let rates = vec![rate("USD", "2022-01-04", 63794, 4, 1), rate("USD", "2022-01-10", 63720, 4, 1)];
        let t = FxTable::new(&rates);
        assert_eq!(t.latest("USD", d("2022-01-09")).unwrap().mantissa, 63794);
        assert_eq!(t.latest("USD", d("2022-01-10")).unwrap().mantissa, 63720);
        assert!(t.latest("USD", d("2022-01-03")).is_none());
        assert!(t.latest("EUR", d("2022-01-10")).is_none());
    }

    #[test]
    fn jpy_is_quoted_per_hundred() {
        // 1,000,000 JPY at 5.5000 CNY per 100 JPY and 6.4000 CNY per USD:
        // 1,000,000 × 0.055 / 6.4 = 8,593.75 USD
        let rates = vec![rate("USD", "2022-01-04", 64000, 4, 1), rate("JPY", "2022-01-04", 55000, 4, 100)];
        let t = FxTable::new(&rates);
        let c = t.conversion("JPY", d("2022-01-05")).unwrap();
        assert_eq!(c.to_usd_cents(100_000_000), Some(859_375));
    }

    #[test]
    fn cny_and_usd() {
        let rates = vec![rate("USD", "2022-01-04", 63757, 4, 1)];
        let t = FxTable::new(&rates);
        assert_eq!(t.conversion("USD", d("2020-01-01")).unwrap().to_usd_cents(12345), Some(12345));
        // 10,000 CNY / 6.3757 = 1,568.455...
        assert_eq!(t.conversion("CNY", d("2022-01-04")).unwrap().to_usd_cents(1_000_000), Some(156_846));
        assert!(t.conversion("CNY", d("2022-01-03")).is_none());
    }

    #[test]
    fn a_recovery_share_is_rounded_once() {
        // CNY 50,000 loss at 6.3757: USD 7,842.28; indemnity 6,273.82; CNY 10,000 recovered:
        // exactly 10,000/6.3757 × 6,273.82 / 7,842.28 = 1,254.76…, where rounding the
        // recovery to 1,568.46 first would give 1,254.77
        let rates = vec![rate("USD", "2022-01-04", 63757, 4, 1)];
        let t = FxTable::new(&rates);
        let c = t.conversion("CNY", d("2022-01-04")).unwrap();
        assert_eq!(c.to_usd_cents(5_000_000), Some(784_228));
        assert_eq!(c.share_of(1_000_000, 627_382, 784_228), 125_476);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round_half_away(5, 2), 3);
        assert_eq!(div_round_half_away(-5, 2), -3);
        assert_eq!(div_round_half_away(4, 3), 1);
        assert_eq!(div_round_half_away(5, 3), 2);
    }

    /// A conversion at exactly 1 USD per unit, with factors too large to multiply out in
    /// 128 bits together with a large recovery and indemnity.
    fn at_par_with_huge_factors() -> Conversion {
        let f = 100_000_000_000_000_000_000i128; // 1e20
        Conversion { rate: None, usd_rate: None, numerator: f, denominator: f }
    }

    #[test]
    fn a_recovery_share_too_large_to_compute_exactly_is_converted_first_then_shared() {
        // 1e15 × 1e20 × 1e10 overflows 128 bits: the recovery is converted first
        // (1e15 cents at par), then shared: 1e15 × 1e10 ÷ 3e10 = 333,333,333,333,333.33…
        let c = at_par_with_huge_factors();
        assert_eq!(c.share_of(1_000_000_000_000_000, 10_000_000_000, 30_000_000_000), 333_333_333_333_333);
        // two thirds round up, half away from zero
        assert_eq!(c.share_of(2_000_000_000_000_000, 10_000_000_000, 30_000_000_000), 666_666_666_666_667);
    }

    #[test]
    fn no_loss_in_usd_gives_no_share_whichever_way_it_is_computed() {
        let exact = FxTable::new(&[]).conversion("USD", d("2022-01-05")).unwrap();
        assert_eq!(exact.share_of(1_000, 800, 0), 0);
        assert_eq!(at_par_with_huge_factors().share_of(1_000_000_000_000_000, 10_000_000_000, 0), 0);
    }
}
