//! Firm eligibility (docs/rules.md): every failing reason, the reference-year self-operated
//! exports and the district.

use aho_corasick::AhoCorasick;

use crate::model::{Exports, Firm, Text};
use crate::policy::Period;
use crate::rules::blacklist::Hit;

/// Why a firm is not eligible, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FirmReason {
    InvalidUscc,
    NotInCity,
    NotLegalPerson,
    Deregistered,
    NoExports,
    ExportsOverThreshold,
    FirmBlacklisted,
    LegalRepBlacklisted,
}

impl FirmReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FirmReason::InvalidUscc => "invalid_uscc",
            FirmReason::NotInCity => "not_in_city",
            FirmReason::NotLegalPerson => "not_legal_person",
            FirmReason::Deregistered => "deregistered",
            FirmReason::NoExports => "no_exports",
            FirmReason::ExportsOverThreshold => "exports_over_threshold",
            FirmReason::FirmBlacklisted => "firm_blacklisted",
            FirmReason::LegalRepBlacklisted => "legal_rep_blacklisted",
        }
    }
}

impl FirmReason {
    const ALL: [FirmReason; 8] = [
        FirmReason::InvalidUscc,
        FirmReason::NotInCity,
        FirmReason::NotLegalPerson,
        FirmReason::Deregistered,
        FirmReason::NoExports,
        FirmReason::ExportsOverThreshold,
        FirmReason::FirmBlacklisted,
        FirmReason::LegalRepBlacklisted,
    ];
}

/// A firm's failing reasons: a set, always listed in the order of [`FirmReason`]. One
/// byte, so that ten million firms' reasons cost no allocation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FirmReasons(u8);

impl FirmReasons {
    pub fn push(&mut self, r: FirmReason) {
        self.0 |= 1 << r as u8;
    }

    pub fn contains(&self, r: &FirmReason) -> bool {
        self.0 & (1 << *r as u8) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = FirmReason> + '_ {
        FirmReason::ALL.into_iter().filter(|r| self.contains(r))
    }

    /// The reasons `;`-joined, as in the outputs: one of 256 texts made once, so that ten
    /// million firms cost no allocation.
    pub fn as_str(&self) -> &'static str {
        static TEXTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        let texts = TEXTS.get_or_init(|| {
            (0..=u8::MAX).map(|bits| FirmReasons(bits).iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";")).collect()
        });
        &texts[self.0 as usize]
    }
}

/// One firm's eligibility on the evaluation date: the verdict only. It is judged for each
/// firm in the firms' order, and the firm's own words (USCC, name, company type,
/// registration status, legal representative) are read from the firm when the table is
/// built, not copied here: at national scale ten million copies were a gigabyte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eligibility {
    pub district: Text,
    /// `district_code` when given, else `uscc`.
    pub district_source: &'static str,
    pub reference_year: i32,
    pub self_exports_cents: i64,
    pub agency_exports_cents: i64,
    pub is_eligible: bool,
    pub reasons: FirmReasons,
    pub hits: u32,
    pub possible_matches: u32,
}

impl Eligibility {
    pub fn reasons_text(&self) -> String {
        self.reasons.as_str().to_string()
    }
}

/// A period's words of a firm's company type that say it is no legal person, and of its
/// registration status that say it is deregistered, each list one automaton: a firm's text
/// is read once for all the words of a list (at national scale, ten million firms against
/// ten words was a hundred million substring searches).
struct Words {
    not_legal_person: AhoCorasick,
    deregistered: AhoCorasick,
}

impl Words {
    fn of(period: &Period) -> Words {
        Words { not_legal_person: automaton(&period.non_legal_person_patterns), deregistered: automaton(&period.deregistered_patterns) }
    }
}

/// The automaton that finds any of `words` in a text (an empty word is in every text, as
/// for `str::contains`).
fn automaton(words: &[String]) -> AhoCorasick {
    // a policy's lists are a few short words: far below any limit of the automaton
    AhoCorasick::new(words).expect("a policy's word list builds an automaton")
}

/// Judge one firm. `hits` are the blacklist hits and possible matches on this firm.
pub fn judge(firm: &Firm, exports: &Exports, period: &Period, reference_year: i32, hits: &[&Hit]) -> Eligibility {
    judge_from(firm, exports, &mut 0, period, &Words::of(period), reference_year, hits)
}

/// [`judge`], the firm's exports looked for from position `*at` on (see
/// [`Exports::get_from`]): firms judged in USCC order find theirs in one pass.
fn judge_from(firm: &Firm, exports: &Exports, at: &mut usize, period: &Period, words: &Words, reference_year: i32, hits: &[&Hit]) -> Eligibility {
    let mut reasons = FirmReasons::default();
    if !firm.uscc_valid {
        reasons.push(FirmReason::InvalidUscc);
    }
    // the district is where the firm is registered now; the USCC's division code is
    // where it was first issued, and does not change when a firm moves
    let (district, district_source) = match &firm.district_code {
        Some(d) => (d.clone(), "district_code"),
        None => (Text::new(&firm.uscc[2..8]), "uscc"),
    };
    if !district.starts_with(&period.city_prefix) {
        reasons.push(FirmReason::NotInCity);
    }
    // the article: independent legal persons only; a branch, a sole proprietorship,
    // a partnership or an individual business is not
    let not_enterprise = !firm.uscc.starts_with("91");
    if not_enterprise || words.not_legal_person.is_match(firm.company_type.as_str()) {
        reasons.push(FirmReason::NotLegalPerson);
    }
    if words.deregistered.is_match(firm.reg_status.as_str()) {
        reasons.push(FirmReason::Deregistered);
    }
    let key = crate::ident::uscc_key(&firm.uscc);
    let totals = key.and_then(|k| exports.get_from(at, &(k, reference_year))).copied().unwrap_or_default();
    // the article: prior-year self-operated exports above zero and at most the threshold
    if totals.self_cents <= 0 {
        reasons.push(FirmReason::NoExports);
    } else if totals.self_cents > period.export_threshold_cents {
        reasons.push(FirmReason::ExportsOverThreshold);
    }
    // a possible match a reviewer confirmed counts as a hit of its listing's subject
    let firm_hit = hits.iter().any(|h| h.counts_as_hit() && h.kind.subject() == "firm");
    let rep_hit = hits.iter().any(|h| h.counts_as_hit() && h.kind.subject() == "legal_rep");
    if firm_hit {
        reasons.push(FirmReason::FirmBlacklisted);
    }
    if rep_hit {
        reasons.push(FirmReason::LegalRepBlacklisted);
    }
    Eligibility {
        district,
        district_source,
        reference_year,
        self_exports_cents: totals.self_cents,
        agency_exports_cents: totals.agency_cents,
        is_eligible: reasons.is_empty(),
        reasons,
        hits: hits.iter().filter(|h| h.counts_as_hit()).count() as u32,
        possible_matches: hits.iter().filter(|h| !h.counts_as_hit()).count() as u32,
    }
}

/// Judge every firm, given all hits (in any order) of the screen of these `firms` (a hit
/// names its firm by position among them).
pub fn judge_all(firms: &[Firm], exports: &Exports, period: &Period, reference_year: i32, hits: &[Hit]) -> Vec<Eligibility> {
    use rayon::prelude::*;
    // each firm's hits, grouped by the firm's position: no hashing; the screen's hits come
    // firm by firm already, which the stable sort only checks in one pass
    let mut grouped: Vec<&Hit> = hits.iter().collect();
    grouped.par_sort_by_key(|h| h.firm);
    // where each firm's hits start, counted
    let mut starts = vec![0usize; firms.len() + 1];
    for h in hits {
        starts[h.firm as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    // a chunk of firms at a time, each looking for its exports after the last one's
    const CHUNK: usize = 4096;
    let words = &Words::of(period);
    let (grouped, starts) = (&grouped, &starts);
    firms
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(c, chunk)| {
            let mut position = 0;
            chunk.iter().enumerate().map(move |(i, f)| {
                let at = c * CHUNK + i;
                judge_from(f, exports, &mut position, period, words, reference_year, &grouped[starts[at]..starts[at + 1]])
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_listed_in_their_declared_order_whatever_the_order_they_were_found() {
        let mut r = FirmReasons::default();
        assert!(r.is_empty());
        r.push(FirmReason::LegalRepBlacklisted);
        r.push(FirmReason::InvalidUscc);
        r.push(FirmReason::NoExports);
        r.push(FirmReason::InvalidUscc);
        assert_eq!(r.iter().collect::<Vec<_>>(), vec![FirmReason::InvalidUscc, FirmReason::NoExports, FirmReason::LegalRepBlacklisted]);
        assert!(r.contains(&FirmReason::NoExports) && !r.contains(&FirmReason::NotInCity));
        assert_eq!(r.as_str(), "invalid_uscc;no_exports;legal_rep_blacklisted");
        assert_eq!(FirmReasons::default().as_str(), "");
    }

    proptest::proptest! {
        #[test]
        fn a_word_list_finds_a_text_exactly_when_one_of_its_words_is_in_it(
            words in proptest::collection::vec("[分公司个体注销ab]{0,3}", 0..4),
            text in "[分公司个体注销ab ]{0,8}",
        ) {
            let any = words.iter().any(|w| text.contains(w.as_str()));
            proptest::prop_assert_eq!(automaton(&words).is_match(text.as_str()), any);
        }
    }
}
