//! Blacklist screening (docs/rules.md): firm and legal-representative hits, and possible
//! matches for review, on the listings in force on the evaluation date.

use std::sync::Arc;

use foldhash::HashMap;
use rayon::prelude::*;

use chrono::NaiveDate;

use crate::ident::{self, DocId};
use crate::model::{Firm, ListType, Listing, SubjectType};
use crate::validate::ScreenKeys;

/// How a listing matched a firm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKind {
    /// Org listing whose id is the firm's USCC.
    FirmUscc,
    /// Org listing whose id is the firm's 9-character organisation code.
    FirmOrgCode,
    /// Org listing with no id whose name is the firm's.
    FirmName,
    /// Person listing with the legal representative's name and full ID.
    LegalRepId,
    /// Person listing with the legal representative's name, one side's ID masked.
    LegalRepMaskedId,
    /// For review: person listing with the right name and no id.
    PossibleNameOnly,
    /// For review: the right name, and the firm has no `legal_rep_id`.
    PossibleNoRepId,
    /// For review: the right name, both IDs masked and not contradicting.
    PossibleMaskedMasked,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::FirmUscc => "firm_uscc",
            MatchKind::FirmOrgCode => "firm_org_code",
            MatchKind::FirmName => "firm_name",
            MatchKind::LegalRepId => "legal_rep_id",
            MatchKind::LegalRepMaskedId => "legal_rep_masked_id",
            MatchKind::PossibleNameOnly => "possible_name_only",
            MatchKind::PossibleNoRepId => "possible_no_rep_id",
            MatchKind::PossibleMaskedMasked => "possible_masked_masked",
        }
    }

    /// A hit makes the firm ineligible; a possible match is for review only.
    pub fn is_hit(self) -> bool {
        !matches!(self, MatchKind::PossibleNameOnly | MatchKind::PossibleNoRepId | MatchKind::PossibleMaskedMasked)
    }

    /// The subject the listing names: the firm itself, or its legal representative.
    pub fn subject(self) -> &'static str {
        match self {
            MatchKind::FirmUscc | MatchKind::FirmOrgCode | MatchKind::FirmName => "firm",
            _ => "legal_rep",
        }
    }
}

/// One hit or possible match of one listing on one firm. The listing is shared, not
/// copied: at national scale a common name's listing is a possible match of a hundred
/// legal representatives, and eleven million copies of its texts were gigabytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub uscc: crate::model::Text,
    /// The firm's position among the firms screened ([`screen`]'s `firms`): its other
    /// words are read from there (the field takes no room of its own, beside the kind).
    pub firm: u32,
    pub kind: MatchKind,
    pub listing: Arc<Listing>,
    /// The review decision that applies to a possible match, if any (boxed: most hits
    /// have none, and the field then takes eight bytes, not thirty-two).
    pub review: Option<Box<crate::rules::reviews::Applied>>,
}

impl Hit {
    /// A hit, or a possible match that a reviewer confirmed: it makes the firm ineligible.
    pub fn counts_as_hit(&self) -> bool {
        self.kind.is_hit() || self.review.as_ref().is_some_and(|r| r.decision == crate::model::ReviewDecision::Confirmed)
    }

    /// A possible match no decision has closed: for the review queue.
    pub fn is_open(&self) -> bool {
        !self.kind.is_hit() && self.review.is_none()
    }

    /// The order of a firm's hits in the hits table.
    pub fn order_key(&self) -> (MatchKind, ListType, &str, &str, u64) {
        let l = &self.listing;
        (self.kind, l.list_type, &l.case_no, &l.origin.file, l.origin.row)
    }
}

/// Listings in force, indexed by the keys a firm is matched on: every lookup is a hash
/// probe on normalised keys, never a scan of the listings.
pub struct ListingIndex<'a> {
    by_uscc: HashMap<&'a str, Vec<&'a Arc<Listing>>>,
    by_org_code: HashMap<&'a str, Vec<&'a Arc<Listing>>>,
    org_by_name: HashMap<&'a str, Vec<&'a Arc<Listing>>>,
    /// Person listings with a full (or opaque) id, by (name, id).
    person_by_name_id: HashMap<(&'a str, &'a str), Vec<&'a Arc<Listing>>>,
    /// Person listings with a masked id, by (name, prefix, suffix).
    person_by_name_mask: HashMap<(&'a str, &'a str, &'a str), Vec<&'a Arc<Listing>>>,
    /// The (prefix, suffix) lengths of the masked ids in force.
    mask_shapes: Vec<(usize, usize)>,
    /// Every person listing, by name: probed only for firms whose legal representative
    /// has no full id (possible matches).
    person_by_name: HashMap<&'a str, Vec<&'a Arc<Listing>>>,
    /// Person listings with no id, by name: the possible matches of a representative with
    /// a full id (a common name has thousands of listings, nearly all with ids, which a
    /// probe of `person_by_name` would walk for every firm).
    person_by_name_no_id: HashMap<&'a str, Vec<&'a Arc<Listing>>>,
}

impl<'a> ListingIndex<'a> {
    /// Index the listings in force on `as_of`: listed on or before it, not removed by it.
    pub fn new(listings: &'a [Arc<Listing>], as_of: NaiveDate) -> Self {
        let mut ix = ListingIndex {
            by_uscc: HashMap::default(),
            by_org_code: HashMap::default(),
            org_by_name: HashMap::default(),
            person_by_name_id: HashMap::default(),
            person_by_name_mask: HashMap::default(),
            mask_shapes: Vec::new(),
            person_by_name: HashMap::default(),
            person_by_name_no_id: HashMap::default(),
        };
        let mut shapes = std::collections::BTreeSet::new();
        for l in listings.iter().filter(|l| l.in_force(as_of)) {
            match (l.subject_type, &l.id) {
                (SubjectType::Org, Some(DocId::Uscc(u))) => ix.by_uscc.entry(u.as_str()).or_default().push(l),
                (SubjectType::Org, Some(DocId::OrgCode(o))) => ix.by_org_code.entry(o.as_str()).or_default().push(l),
                // an org listing with another kind of id is matched by that id only, and
                // no firm carries one
                (SubjectType::Org, Some(_)) => {}
                (SubjectType::Org, None) => ix.org_by_name.entry(l.name_key.as_str()).or_default().push(l),
                (SubjectType::Person, id) => {
                    ix.person_by_name.entry(l.name_key.as_str()).or_default().push(l);
                    match id {
                        Some(DocId::Masked(m)) => {
                            shapes.insert((m.prefix.len(), m.suffix.len()));
                            ix.person_by_name_mask.entry((l.name_key.as_str(), m.prefix.as_str(), m.suffix.as_str())).or_default().push(l);
                        }
                        Some(DocId::ResidentId(s) | DocId::Opaque(s) | DocId::Uscc(s) | DocId::OrgCode(s)) => {
                            ix.person_by_name_id.entry((l.name_key.as_str(), s.as_str())).or_default().push(l);
                        }
                        None => ix.person_by_name_no_id.entry(l.name_key.as_str()).or_default().push(l),
                    }
                }
            }
        }
        ix.mask_shapes = shapes.into_iter().collect();
        ix
    }
}

/// Every hit and possible match on one firm, the firm at position `at` among those
/// screened, in a stable order.
pub fn screen_firm(at: u32, firm: &Firm, ix: &ListingIndex) -> Vec<Hit> {
    let mut hits = Vec::new();
    let hit = |kind: MatchKind, l: &Arc<Listing>| Hit { uscc: firm.uscc.clone(), firm: at, kind, listing: Arc::clone(l), review: None };
    for l in ix.by_uscc.get(firm.uscc.as_str()).into_iter().flatten() {
        hits.push(hit(MatchKind::FirmUscc, l));
    }
    let org_code = &firm.uscc[8..17];
    for l in ix.by_org_code.get(org_code).into_iter().flatten() {
        hits.push(hit(MatchKind::FirmOrgCode, l));
    }
    let name_key = ident::name_key(&firm.name);
    for l in ix.org_by_name.get(name_key.as_str()).into_iter().flatten() {
        hits.push(hit(MatchKind::FirmName, l));
    }
    let rep_key = ident::name_key(&firm.legal_rep_name);
    let rep_id = firm.legal_rep_id.as_deref().and_then(DocId::classify_person);
    match &rep_id {
        Some(DocId::ResidentId(full) | DocId::Opaque(full) | DocId::Uscc(full) | DocId::OrgCode(full)) => {
            // a full id: hash probes on (name, id), on (name, prefix, suffix) for each
            // shape of masked id in force, and the name-only listings
            for l in ix.person_by_name_id.get(&(rep_key.as_str(), full.as_str())).into_iter().flatten() {
                hits.push(hit(MatchKind::LegalRepId, l));
            }
            // a masked id hides a resident ID: other documents match by equality only
            let resident = matches!(rep_id, Some(DocId::ResidentId(_)));
            for &(p, s) in ix.mask_shapes.iter().filter(|_| resident) {
                if p + s > full.len() || !full.is_char_boundary(p) || !full.is_char_boundary(full.len() - s) {
                    continue;
                }
                let key = (rep_key.as_str(), &full[..p], &full[full.len() - s..]);
                for l in ix.person_by_name_mask.get(&key).into_iter().flatten() {
                    hits.push(hit(MatchKind::LegalRepMaskedId, l));
                }
            }
            for l in ix.person_by_name_no_id.get(rep_key.as_str()).into_iter().flatten() {
                hits.push(hit(MatchKind::PossibleNameOnly, l));
            }
        }
        _ => {
            for l in ix.person_by_name.get(rep_key.as_str()).into_iter().flatten() {
                if let Some(kind) = legal_rep_match(rep_id.as_ref(), l.id.as_ref()) {
                    hits.push(hit(kind, l));
                }
            }
        }
    }
    // the table's order, but the earlier listing first among those of one case number (as
    // `explain` tells them); the table's stable sort then has almost nothing left to do
    hits.sort_by(|a, b| {
        let (la, lb) = (&a.listing, &b.listing);
        (a.kind, la.list_type, &la.case_no, la.listed_on, &la.origin.file, la.origin.row)
            .cmp(&(b.kind, lb.list_type, &lb.case_no, lb.listed_on, &lb.origin.file, lb.origin.row))
    });
    hits
}

/// How a person listing whose name is the legal representative's matches on the ids.
pub fn legal_rep_match(rep_id: Option<&DocId>, listed: Option<&DocId>) -> Option<MatchKind> {
    let Some(listed) = listed else { return Some(MatchKind::PossibleNameOnly) };
    let Some(rep) = rep_id else { return Some(MatchKind::PossibleNoRepId) };
    fn text(d: &DocId) -> Option<&str> {
        match d {
            DocId::ResidentId(s) | DocId::Opaque(s) | DocId::Uscc(s) | DocId::OrgCode(s) => Some(s),
            DocId::Masked(_) => None,
        }
    }
    match (rep, listed) {
        // the rules: masked against masked is a possible match, for review
        (DocId::Masked(_), DocId::Masked(_)) => Some(MatchKind::PossibleMaskedMasked),
        // a masked id matches a full resident ID; other documents by equality only
        (DocId::ResidentId(full), DocId::Masked(m)) | (DocId::Masked(m), DocId::ResidentId(full)) => {
            m.matches(full).then_some(MatchKind::LegalRepMaskedId)
        }
        (DocId::Masked(_), _) | (_, DocId::Masked(_)) => None,
        (a, b) => (text(a)? == text(b)?).then_some(MatchKind::LegalRepId),
    }
}

/// The keys a listing must share with some firm to be able to match it, built from the
/// firms: listings that meet none are of no use to the screen, and are counted but not
/// kept while the national list streams in. Every listing [`screen_firm`] can report
/// passes [`FirmKeys::may_match`] (a property test holds the two together).
///
/// The keys are kept as 64-bit hashes (each tagged with its kind) in a Bloom filter, 16
/// bits a key, whose four bits for a key lie in one 64-bit block: for a million firms
/// 16 MiB, a quarter of a hash set of the same hashes, and one memory access a test. A
/// collision or a false positive only lets a listing through, and the screen then checks
/// it in full (at tier M, 93,000 of 10 million listings pass instead of 76,000).
pub struct FirmKeys {
    memory: Vec<u64>,
    /// Where the filter starts in `memory`, and its length in blocks (a power of two).
    start: usize,
    len: usize,
}

/// Bits of the filter per key (at most [`KEYS_PER_FIRM`] keys a firm).
const BITS_PER_KEY: usize = 16;
const KEYS_PER_FIRM: usize = 6;

/// What a key of [`FirmKeys`] is.
#[derive(Clone, Copy, Hash)]
enum KeyKind {
    Uscc,
    OrgCode,
    FirmName,
    /// Any legal representative's name.
    RepName,
    /// A legal representative with no id or a masked one: any listing of the name may match.
    LooseName,
    /// (name, full id).
    RepId,
    /// (name, the first 6 and last 4 characters of a resident ID): what a masked id keeps.
    RepMasked,
}

/// The kept ends of a resident ID that a masked id of at least 6 leading and 4 trailing
/// characters also shows.
const MASK_HEAD: usize = 6;
const MASK_TAIL: usize = 4;

fn key_hash(kind: KeyKind, parts: &[&str]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x7467_6261_6f00).hash_one((kind, parts))
}

impl FirmKeys {
    pub fn new(firms: &[Firm]) -> FirmKeys {
        // never fewer than 1024 blocks (8 KiB), so that a few firms see no false positives
        let blocks = (firms.len() * KEYS_PER_FIRM * BITS_PER_KEY / 64).max(1024).next_power_of_two();
        let mut keys = FirmKeys::zeroed(blocks);
        // the names are normalised in parallel, a chunk at a time, and the hashes gathered
        for chunk in firms.chunks(1 << 16) {
            let hashes: Vec<u64> = chunk.par_iter().flat_map_iter(Self::keys_of).collect();
            for h in hashes {
                let (block, bits) = keys.place(h);
                keys.memory[block] |= bits;
            }
        }
        keys
    }

    /// A filter of `len` blocks, all clear. Every test reads a block at random, so the
    /// filter asks for huge pages (2 MiB), where the system gives them on request: on 4 KiB
    /// pages nearly every test also misses the address cache.
    fn zeroed(len: usize) -> FirmKeys {
        const HUGE: usize = 2 << 20;
        // room to start the filter on a huge page's boundary; the zeroed pages are not
        // touched before the advice, so that they come as huge pages when first written
        let memory: Vec<u64> = vec![0; len + HUGE / 8];
        let addr = memory.as_ptr() as usize;
        let start = (addr.next_multiple_of(HUGE) - addr) / 8;
        #[cfg(target_os = "linux")]
        if len * 8 >= HUGE {
            // SAFETY: the range lies inside `memory`'s allocation, which outlives the call;
            // the advice changes how the range is backed, never its contents
            unsafe {
                libc::madvise(memory.as_ptr().add(start) as *mut libc::c_void, len * 8, libc::MADV_HUGEPAGE);
            }
        }
        FirmKeys { memory, start, len }
    }

    /// A hash's block (from its high bits), as an index into `memory`, and its four bits in
    /// it (from its low bits).
    fn place(&self, h: u64) -> (usize, u64) {
        let block = (h >> 32) as usize & (self.len - 1);
        let bits = (0..4).fold(0u64, |bits, i| bits | 1 << ((h >> (6 * i)) & 63));
        (self.start + block, bits)
    }

    fn keys_of(f: &Firm) -> Vec<u64> {
        let name = ident::name_key(&f.legal_rep_name);
        let mut keys = vec![
            key_hash(KeyKind::Uscc, &[&f.uscc]),
            key_hash(KeyKind::OrgCode, &[&f.uscc[8..17]]),
            key_hash(KeyKind::FirmName, &[&ident::name_key(&f.name)]),
            key_hash(KeyKind::RepName, &[&name]),
        ];
        match f.legal_rep_id.as_deref().and_then(DocId::classify_person) {
            None | Some(DocId::Masked(_)) => keys.push(key_hash(KeyKind::LooseName, &[&name])),
            Some(DocId::ResidentId(id)) => {
                keys.push(key_hash(KeyKind::RepId, &[&name, &id]));
                if id.len() >= MASK_HEAD + MASK_TAIL && id.is_ascii() {
                    keys.push(key_hash(KeyKind::RepMasked, &[&name, &id[..MASK_HEAD], &id[id.len() - MASK_TAIL..]]));
                }
            }
            Some(DocId::Opaque(id) | DocId::Uscc(id) | DocId::OrgCode(id)) => keys.push(key_hash(KeyKind::RepId, &[&name, &id])),
        }
        keys
    }

    fn has(&self, kind: KeyKind, parts: &[&str]) -> bool {
        let (block, bits) = self.place(key_hash(kind, parts));
        self.memory[block] & bits == bits
    }

    /// Start loading the block [`FirmKeys::has`] reads for this key.
    fn load(&self, kind: KeyKind, parts: &[&str]) {
        let (block, _) = self.place(key_hash(kind, parts));
        crate::prefetch::prefetch_value(&self.memory[block]);
    }

    /// Could this listing match some firm? (A necessary condition of every hit and possible match.)
    pub fn may_match(&self, l: &Listing) -> bool {
        self.may_match_parts(l.subject_type, &l.name_key, l.id.as_ref())
    }
}

impl ScreenKeys for FirmKeys {
    /// [`FirmKeys::may_match`] from a listing's parts, before the listing is built.
    fn may_match_parts(&self, subject_type: SubjectType, name: &str, id: Option<&DocId>) -> bool {
        match (subject_type, id) {
            (SubjectType::Org, Some(DocId::Uscc(u))) => self.has(KeyKind::Uscc, &[u]),
            (SubjectType::Org, Some(DocId::OrgCode(o))) => self.has(KeyKind::OrgCode, &[o]),
            (SubjectType::Org, Some(_)) => false,
            (SubjectType::Org, None) => self.has(KeyKind::FirmName, &[name]),
            // the right name and no id: a possible match of every representative of the name
            (SubjectType::Person, None) => self.has(KeyKind::RepName, &[name]),
            (SubjectType::Person, Some(id)) => {
                if self.has(KeyKind::LooseName, &[name]) {
                    return true;
                }
                match id {
                    // a masked id meets a resident ID that shows the same ends
                    DocId::Masked(m) if m.prefix.len() >= MASK_HEAD && m.suffix.len() >= MASK_TAIL => {
                        self.has(KeyKind::RepMasked, &[name, &m.prefix[..MASK_HEAD], &m.suffix[m.suffix.len() - MASK_TAIL..]])
                    }
                    DocId::Masked(_) => self.has(KeyKind::RepName, &[name]),
                    DocId::ResidentId(t) | DocId::Opaque(t) | DocId::Uscc(t) | DocId::OrgCode(t) => self.has(KeyKind::RepId, &[name, t]),
                }
            }
        }
    }

    /// Told of listings ahead from a filter of more than 8 MiB (a register of more than
    /// about 700,000 firms), which a processor's caches do not hold; a smaller one is read
    /// from the cache.
    fn worth_expecting(&self) -> bool {
        const CACHED: usize = 8 << 20;
        self.len * std::mem::size_of::<u64>() > CACHED
    }

    /// The blocks [`FirmKeys::may_match_parts`] will most likely read, from the cells as
    /// written: a name or id that its normalised form differs from (rare in a register)
    /// loads a block for nothing, and a masked id or an org code loads none.
    fn expect_parts(&self, subject_type: SubjectType, name: &str, id: &str) {
        const USCC_LEN: usize = 18;
        match (subject_type, id.is_empty()) {
            (SubjectType::Org, false) if id.len() == USCC_LEN => self.load(KeyKind::Uscc, &[id]),
            (SubjectType::Org, false) => {}
            (SubjectType::Org, true) => self.load(KeyKind::FirmName, &[name]),
            (SubjectType::Person, true) => self.load(KeyKind::RepName, &[name]),
            (SubjectType::Person, false) => {
                self.load(KeyKind::LooseName, &[name]);
                if !id.contains('*') {
                    self.load(KeyKind::RepId, &[name, id]);
                }
            }
        }
    }
}

/// Screen every firm: all hits and possible matches, firm by firm in input order.
///
/// # Panics
/// With more than `u32::MAX` firms (a hit holds its firm's position in 32 bits).
pub fn screen(firms: &[Firm], listings: &[Arc<Listing>], as_of: NaiveDate) -> Vec<Hit> {
    assert!(u32::try_from(firms.len()).is_ok(), "more than 2^32 firms");
    let ix = ListingIndex::new(listings, as_of);
    // a firm's name lies on the heap apart from the firm (the firms were put in USCC order
    // after they were read), and it is the first thing the firm's screen reads: it is
    // asked for a few firms ahead (at national scale a tenth of the screen's time was
    // spent waiting for names)
    const AHEAD: usize = 8;
    firms
        .par_iter()
        .enumerate()
        .flat_map_iter(|(at, f)| {
            if let Some(ahead) = firms.get(at + AHEAD) {
                crate::prefetch::prefetch(ahead.name.as_bytes());
            }
            screen_firm(at as u32, f, &ix)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> DocId {
        DocId::classify_person(s).unwrap()
    }

    #[test]
    fn full_id_and_name_is_a_hit() {
        assert_eq!(legal_rep_match(Some(&id("11010519491231002X")), Some(&id("11010519491231002x"))), Some(MatchKind::LegalRepId));
        assert_eq!(legal_rep_match(Some(&id("11010519491231002X")), Some(&id("110105194912310038"))), None);
    }

    #[test]
    fn masked_id_matching_prefix_and_suffix_is_a_hit() {
        assert_eq!(legal_rep_match(Some(&id("11010519491231002X")), Some(&id("1101051949****002X"))), Some(MatchKind::LegalRepMaskedId));
        assert_eq!(legal_rep_match(Some(&id("1101051949****002X")), Some(&id("11010519491231002X"))), Some(MatchKind::LegalRepMaskedId));
        assert_eq!(legal_rep_match(Some(&id("11010519491231002X")), Some(&id("1101051950****002X"))), None);
    }

    #[test]
    fn missing_ids_and_masked_pairs_are_only_possible_matches() {
        assert_eq!(legal_rep_match(Some(&id("11010519491231002X")), None), Some(MatchKind::PossibleNameOnly));
        assert_eq!(legal_rep_match(None, Some(&id("11010519491231002X"))), Some(MatchKind::PossibleNoRepId));
        assert_eq!(legal_rep_match(Some(&id("1101051949****002X")), Some(&id("110105****1231002X"))), Some(MatchKind::PossibleMaskedMasked));
        // the rules lists masked against masked as a possible match without condition
        assert_eq!(legal_rep_match(Some(&id("1101051949****002X")), Some(&id("3502031980****1234"))), Some(MatchKind::PossibleMaskedMasked));
    }

    #[test]
    fn opaque_documents_match_by_equality_only() {
        assert_eq!(legal_rep_match(Some(&id("H01234567")), Some(&id("h01234567"))), Some(MatchKind::LegalRepId));
        assert_eq!(legal_rep_match(Some(&id("H01234567")), Some(&id("H01234568"))), None);
        // an old 15-digit ID is no resident ID: a masked listing never matches it
        assert_eq!(legal_rep_match(Some(&id("350203800101123")), Some(&id("350203****1123"))), None);
        assert_eq!(legal_rep_match(Some(&id("350203****1123")), Some(&id("350203800101123"))), None);
    }

    /// Eleven million hits at national scale: the firm's position rides in the room the
    /// kind leaves, so that a hit stays six words.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_hit_takes_no_more_room_for_naming_its_firm() {
        assert_eq!(std::mem::size_of::<Hit>(), 48);
    }

    #[test]
    fn a_document_number_with_chinese_characters_does_not_break_the_screen() {
        let mut f = crate::model::Firm {
            uscc: "91350200MA33GULG91".into(),
            uscc_valid: true,
            name: "x".into(),
            company_type: "有限责任公司".into(),
            reg_status: "存续".into(),
            district_code: None,
            legal_rep_name: "张三".into(),
            legal_rep_id: Some("军官证第1234567号".into()),
            established_on: None,
            origin: crate::model::Origin { file: "f".into(), row: 2 },
        };
        let listing = |idv: &str| crate::model::Listing {
            list_type: ListType::DishonestDebtor,
            subject_type: SubjectType::Person,
            name: "张三".into(),
            name_key: "张三".into(),
            id: DocId::classify_person(idv),
            id_raw: idv.into(),
            listed_on: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            removed_on: None,
            case_no: Default::default(),
            origin: crate::model::Origin { file: "l".into(), row: 2 },
        };
        let ls = vec![Arc::new(listing("3502031980****1234")), Arc::new(listing("军官证第1234567号"))];
        let hits = screen(std::slice::from_ref(&f), &ls, NaiveDate::from_ymd_opt(2022, 5, 7).unwrap());
        assert_eq!(hits.iter().map(|h| h.kind.as_str()).collect::<Vec<_>>(), vec!["legal_rep_id"]);
        f.legal_rep_id = Some("军官证第7654321号".into());
        assert!(screen(&[f], &ls, NaiveDate::from_ymd_opt(2022, 5, 7).unwrap()).is_empty());
    }
}
