#!/usr/bin/env python3
"""Independent derivation of the sample run's detail tables from sample_data/ and docs/rules.md.

How the every-column golden files of sample_data/expected/ (firms, reconciliation, claims,
blacklist_hits, rejects) were worked out: a second implementation of the rules, written
plainly from docs/rules.md, that reads only the inputs (and the policy's terms, written out
below by hand). It does not import or call tongbao and never reads an output.

    python3 scripts/derive_expected.py [OUT_DIR]

writes one CSV per table into OUT_DIR (default: a temporary folder), columns in the order
docs/outputs.md lists them, rendered as the tests render values, then compares each with
sample_data/expected/ (rows in any order) and exits 1 on any difference. A new output column
is added here first, from the rules, and then to the golden file. Needs openpyxl.

A null cell (docs/outputs.md: "empty") is written as \\N; an empty cell is the empty text ""
(docs/outputs.md: "empty text"). Which one each column holds is read from docs/outputs.md.
"""
import csv
import datetime as dt
import os
import re
import sys
import unicodedata
from fractions import Fraction
from collections import defaultdict

import openpyxl

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
S = os.path.join(REPO, "sample_data")
AS_OF = dt.date(2022, 5, 7)
OUT = sys.argv[1] if len(sys.argv) > 1 else __import__("tempfile").mkdtemp(prefix="derived-")
os.makedirs(OUT, exist_ok=True)

# ---- policy.toml, written out by hand (2 periods) -------------------------------------------
CAUSES = ["political", "insolvency", "protracted_default", "rejection", "non_acceptance"]
PERIODS = [
    dict(id="2020-2021", start=dt.date(2020, 1, 1), end=dt.date(2021, 12, 31), threshold=300000000,
         ratio_bp=8000, cap=5000000, max_days=365, causes=CAUSES, prefix="3502"),
    dict(id="2022-2023", start=dt.date(2022, 1, 1), end=dt.date(2023, 12, 31), threshold=600000000,
         ratio_bp=8000, cap=5000000, max_days=365, causes=CAUSES, prefix="3502"),
]
NLP = ["分公司", "分支机构", "非法人", "个人独资", "合伙", "个体", "农民专业合作社"]
DEREG = ["注销", "吊销", "撤销"]
ENROLLED = {"accepted", "acknowledged"}


def period_on(d):
    for p in PERIODS:
        if p["start"] <= d <= p["end"]:
            return p
    return None


PERIOD = period_on(AS_OF)
REF_YEAR = AS_OF.year - 1

# ---- value helpers (rules §4, §5.3) ---------------------------------------------------------


def halfwidth(s):
    out = []
    for c in s:
        o = ord(c)
        if 0xFF01 <= o <= 0xFF5E:
            out.append(chr(o - 0xFEE0))
        elif o == 0x3000:
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


def norm_code(s):
    return halfwidth(s).strip().upper()


def name_key(s):
    prev = None
    while prev != s:
        prev = s
        s = unicodedata.normalize("NFKC", s)
        s = "".join(c for c in s if not c.isspace())
        s = s.upper()
        s = s.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    return s


ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_ok(u):
    return len(u) == 18 and all(c in ALPHA for c in u)


def uscc_valid(u):
    # GB 32100: character 18
    s, w = 0, 1
    for c in u[:17]:
        s += ALPHA.index(c) * w
        w = w * 3 % 31
    if ALPHA[(31 - s % 31) % 31] != u[17]:
        return False
    # GB 11714: organisation code positions 9..17
    org = u[8:17]
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    tot = 0
    for c, wt in zip(org[:8], weights):
        if c.isdigit():
            v = int(c)
        elif "A" <= c <= "Z":
            v = ord(c) - 55
        else:
            return False
        tot += v * wt
    r = 11 - tot % 11
    chk = "X" if r == 10 else ("0" if r == 11 else str(r))
    return chk == org[8]


def resident_check(first17):
    s = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    return "10X98765432"[s % 11]


RES_RE = re.compile(r"^\d{17}[\dX]$")
MASK_RE = re.compile(r"^(\d+)\*+(\d*[\dX])$")


def classify_person(raw):
    """('resident', id) | ('masked', (prefix, suffix)) | ('opaque', text) | None"""
    if raw is None:
        return None
    v = norm_code(raw)
    if v == "":
        return None
    if RES_RE.match(v):
        return ("resident", v)
    m = MASK_RE.match(v)
    if m:
        return ("masked", (m.group(1), m.group(2)))
    return ("opaque", v)


def classify_org(raw):
    v = norm_code(raw or "")
    if v == "":
        return None
    if uscc_ok(v):
        return ("uscc", v)
    m = re.match(r"^([0-9A-Z]{8})-?([0-9A-Z])$", v)
    if m:
        return ("org", m.group(1) + m.group(2))
    return ("other", v)


def parse_date(v, spreadsheet=False):
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = str(v).strip()
    s = re.sub(r"T00:00:00$", "", s)
    for pat in (r"^(\d{4})-(\d{1,2})-(\d{1,2})$", r"^(\d{4})/(\d{1,2})/(\d{1,2})$", r"^(\d{4})(\d{2})(\d{2})$"):
        m = re.match(pat, s)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def parse_month(s):
    s = s.strip()
    for pat in (r"^(\d{4})-(\d{1,2})$", r"^(\d{4})/(\d{1,2})$", r"^(\d{4})(\d{2})$"):
        m = re.match(pat, s)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            return (y, mo) if 1 <= mo <= 12 else None
    d = parse_date(s)
    return (d.year, d.month) if d else None


def parse_amount(s):
    """cents or a reason"""
    s = s.strip()
    if s == "":
        return "missing_value"
    t = s
    if t.startswith("+"):
        t = t[1:]
    neg = t.startswith("-")
    if neg:
        t = t[1:]
    if "," in t:
        if not re.match(r"^\d{1,3}(,\d{3})+(\.\d*)?$", t):
            return "invalid_amount"
        t = t.replace(",", "")
    m = re.match(r"^(\d+)(?:\.(\d*))?$", t)
    if not m:
        return "invalid_amount"
    ip, fp = m.group(1), m.group(2) or ""
    if len(fp) > 2:
        return "too_many_decimals"
    if len(ip.lstrip("0")) > 13:
        return "amount_too_large"
    cents = int(ip) * 100 + int((fp + "00")[:2])
    if neg and cents != 0:
        return "negative_amount"
    return cents


def parse_rate(s):
    s = s.strip()
    m = re.match(r"^(\d+)(?:\.(\d{1,12}))?$", s)
    if not m:
        return None
    f = Fraction(s)
    return f if f > 0 else None


def parse_count(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v if v >= 0 else None
    if isinstance(v, float):
        return int(v) if v.is_integer() and v >= 0 else None
    s = str(v).strip()
    m = re.match(r"^(\d+)(?:\.0+)?$", s)
    return int(m.group(1)) if m else None


TRUE = {"true", "1", "y", "yes", "是"}
FALSE = {"false", "0", "n", "no", "否"}


def parse_bool(s):
    t = s.strip().lower()
    if t in TRUE:
        return True
    if t in FALSE:
        return False
    return None


def closed(v, table):
    t = v.strip().lower()
    for canon, words in table.items():
        if t == canon or t in [w.lower() for w in words]:
            return canon
    return None


TRADE = {"self": ["自营"], "agency": ["代理"]}
LIST_TYPE = {"dishonest_debtor": ["失信被执行人"], "serious_dishonesty": ["严重失信主体", "严重失信主体名单"], "gang_related": ["涉黑涉恶"]}
SUBJECT = {"org": ["单位", "organisation", "organization"], "person": ["个人", "自然人"]}
ENR_STATUS = {"submitted": ["已提交", "提交"], "accepted": ["承保"], "acknowledged": ["收悉"], "rejected": ["拒绝", "已拒绝"], "cancelled": ["canceled", "取消", "已取消"]}
OBLIGOR = {"buyer": ["买方"], "issuing_bank": ["开证行"]}
CLAIM_STATUS = {"notified": ["已通知"], "filed": ["已报案"], "under_review": ["审核中"], "paid": ["已赔付"], "rejected": ["拒赔"], "withdrawn": ["撤案"]}
CAUSE_MAP = {"政治风险": "political", "破产": "insolvency", "买方破产": "insolvency", "开证行破产": "insolvency", "拖欠": "protracted_default",
             "买方拖欠": "protracted_default", "拒收": "rejection", "买方拒收": "rejection", "拒绝承兑": "non_acceptance", "拒付": "non_acceptance"}


# A null cell, as the golden files write it (an empty cell is the empty text).
NULL = "\\N"


def money(c):
    if c is None:
        return NULL
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def rate_text(f):
    # exact decimal, trailing zeros dropped
    s = str(f)
    return s


def round_half_away(fr):
    # fr: Fraction of cents
    if fr >= 0:
        n = fr.numerator * 2 + fr.denominator
        return n // (2 * fr.denominator)
    return -round_half_away(-fr)


def floor_frac(fr):
    return fr.numerator // fr.denominator


def b(x):
    return NULL if x is None else ("true" if x else "false")


def ds(d):
    return NULL if d is None else d.isoformat()


rejects = []  # (input, file, row, column, value, reason, key)


def rej(inp, f, row, col, val, reason, key=None):
    rejects.append([inp, f, row, col, val, reason, key])


def accepted(inp, f, raw, keys, faults_of, key_column):
    """The rows of a keyed input that have no fault, as (row, record, key): every fault of a row
    is rejected first, and every row of a key that more than one row has is rejected."""
    count = defaultdict(int)
    for k in keys.values():
        if k:
            count[k] += 1
    for row, rec in raw:
        k = keys[row]
        faults = list(faults_of[row])
        if k and count[k] > 1:
            faults.append((key_column, k, "duplicate_key"))
        for col, val, reason in faults:
            rej(inp, f, row, col, val, reason, k)
        if not faults:
            yield row, rec, k


# ---- firms -----------------------------------------------------------------------------------
firm_rows = []
with open(os.path.join(S, "firms.csv"), encoding="utf-8") as fh:
    r = csv.reader(fh)
    hdr = next(r)
    for i, rec in enumerate(r, start=2):
        firm_rows.append((i, dict(zip(hdr, rec))))

firms_file = "firms.csv"
firm_faults = {}
firm_keys = {}
for row, rec in firm_rows:
    faults = []
    u = norm_code(rec["uscc"])
    key = None
    if rec["uscc"].strip() == "":
        faults.append(("uscc", "", "missing_value"))
    elif not uscc_ok(u):
        faults.append(("uscc", rec["uscc"], "malformed_uscc"))
    else:
        key = u
    for c in ["name", "company_type", "reg_status", "legal_rep_name"]:
        if rec[c].strip() == "":
            faults.append((c, "", "missing_value"))
    firm_faults[row] = faults
    firm_keys[row] = key
firms = {}
# every USCC the register holds, the rejected rows' too
known_firm_usccs = {k for k in firm_keys.values() if k}
for row, rec, k in accepted("firms", firms_file, firm_rows, firm_keys, firm_faults, "uscc"):
    dc = norm_code(rec.get("district_code", ""))
    if dc and re.match(r"^\d{6}$", dc):
        district, dsrc = dc, "district_code"
    else:
        district, dsrc = k[2:8], "uscc"
    rid = classify_person(rec.get("legal_rep_id", ""))
    if rid and rid[0] == "resident" and resident_check(rid[1][:17]) != rid[1][17]:
        rid = None
    firms[k] = dict(row=row, uscc=k, name=rec["name"].strip(), company_type=rec["company_type"].strip(),
                    reg_status=rec["reg_status"].strip(), legal_rep_name=rec["legal_rep_name"].strip(),
                    district=district, dsrc=dsrc, rep_id=rid)

# ---- exports ---------------------------------------------------------------------------------
EXP_ALIASES = {"统一社会信用代码": "uscc", "统计月份": "month", "经营方式": "trade_channel", "出口额(美元)": "export_usd"}
exp_self = defaultdict(int)
exp_agency = defaultdict(int)
for fname, enc in (("exports_2021_a.csv", "utf-8-sig"), ("exports_2021_b.csv", "gb18030")):
    with open(os.path.join(S, "exports", fname), encoding=enc) as fh:
        r = csv.reader(fh)
        hdr = [EXP_ALIASES.get(h.strip(), h.strip()) for h in next(r)]
        for row, rec in enumerate(r, start=2):
            rec = dict(zip(hdr, rec))
            f = "exports/" + fname
            faults = []
            u = norm_code(rec["uscc"])
            if rec["uscc"].strip() == "":
                faults.append(("uscc", "", "missing_value"))
            elif not uscc_ok(u):
                faults.append(("uscc", rec["uscc"], "malformed_uscc"))
            mo = None
            if rec["month"].strip() == "":
                faults.append(("month", "", "missing_value"))
            else:
                mo = parse_month(rec["month"])
                if mo is None:
                    faults.append(("month", rec["month"], "invalid_month"))
            ch = None
            if rec["trade_channel"].strip() == "":
                faults.append(("trade_channel", "", "missing_value"))
            else:
                ch = closed(rec["trade_channel"], TRADE)
                if ch is None:
                    faults.append(("trade_channel", rec["trade_channel"], "unknown_value"))
            amt = parse_amount(rec["export_usd"])
            if isinstance(amt, str):
                faults.append(("export_usd", "" if amt == "missing_value" else rec["export_usd"], amt))
            for col, val, reason in faults:
                rej("exports", f, row, col, val, reason, None)
            if faults:
                continue
            if mo[0] == REF_YEAR:
                (exp_self if ch == "self" else exp_agency)[u] += amt

# ---- blacklists ------------------------------------------------------------------------------
listings = []
with open(os.path.join(S, "blacklists.csv"), encoding="utf-8") as fh:
    r = csv.reader(fh)
    hdr = next(r)
    for row, rec in enumerate(r, start=2):
        if len(rec) != len(hdr):
            rej("blacklists", "blacklists.csv", row, "", f"{len(rec)} fields, header has {len(hdr)}", "wrong_field_count", None)
            continue
        rec = dict(zip(hdr, rec))
        faults = []
        lt = closed(rec["list_type"], LIST_TYPE) if rec["list_type"].strip() else None
        if rec["list_type"].strip() == "":
            faults.append(("list_type", "", "missing_value"))
        elif lt is None:
            faults.append(("list_type", rec["list_type"], "unknown_value"))
        st = closed(rec["subject_type"], SUBJECT) if rec["subject_type"].strip() else None
        if rec["subject_type"].strip() == "":
            faults.append(("subject_type", "", "missing_value"))
        elif st is None:
            faults.append(("subject_type", rec["subject_type"], "unknown_value"))
        if rec["name"].strip() == "":
            faults.append(("name", "", "missing_value"))
        lo = parse_date(rec["listed_on"]) if rec["listed_on"].strip() else None
        if rec["listed_on"].strip() == "":
            faults.append(("listed_on", "", "missing_value"))
        elif lo is None:
            faults.append(("listed_on", rec["listed_on"], "invalid_date"))
        for col, val, reason in faults:
            rej("blacklists", "blacklists.csv", row, col, val, reason, None)
        if faults:
            continue
        ro = parse_date(rec["removed_on"]) if rec["removed_on"].strip() else None
        listings.append(dict(row=row, list_type=lt, subject=st, name=rec["name"], id_raw=rec["id_number"],
                             listed_on=lo, removed_on=ro, case_no=rec["case_no"]))

# ---- reviews ---------------------------------------------------------------------------------
reviews = []
with open(os.path.join(S, "reviews.csv"), encoding="utf-8") as fh:
    for row, rec in enumerate(csv.DictReader(fh), start=2):
        dec = {"cleared": "cleared", "排除": "cleared", "confirmed": "confirmed", "确认": "confirmed"}[rec["decision"].strip().lower()]
        reviews.append(dict(row=row, uscc=norm_code(rec["uscc"]), case_key=name_key(rec["case_no"]), decision=dec,
                            decided_on=parse_date(rec["decided_on"]), reviewer=rec["reviewer"].strip()))
applied_review = {}
for rv in reviews:
    if rv["decided_on"] > AS_OF:
        continue
    k = (rv["uscc"], rv["case_key"])
    if k not in applied_review or applied_review[k]["decided_on"] < rv["decided_on"]:
        applied_review[k] = rv

# ---- screening (rules §6, §6a) ---------------------------------------------------------------
hits = []
for lst in listings:
    if not (lst["listed_on"] <= AS_OF and (lst["removed_on"] is None or lst["removed_on"] > AS_OF)):
        continue
    lk = name_key(lst["name"])
    for f in firms.values():
        kind = None
        if lst["subject"] == "org":
            oid = classify_org(lst["id_raw"])
            if oid is None:
                if lk == name_key(f["name"]):
                    kind = "firm_name"
            elif oid[0] == "uscc" and oid[1] == f["uscc"]:
                kind = "firm_uscc"
            elif oid[0] == "org" and oid[1] == f["uscc"][8:17]:
                kind = "firm_org_code"
        else:
            if lk != name_key(f["legal_rep_name"]):
                continue
            lid = classify_person(lst["id_raw"])
            fid = f["rep_id"]
            if lid is None:
                kind = "possible_name_only"
            elif fid is None:
                kind = "possible_no_rep_id"
            elif lid[0] == "masked" and fid[0] == "masked":
                kind = "possible_masked_masked"
            elif lid[0] == "masked" and fid[0] == "resident":
                p, s = lid[1]
                if fid[1].startswith(p) and fid[1].endswith(s):
                    kind = "legal_rep_masked_id"
            elif fid[0] == "masked" and lid[0] == "resident":
                p, s = fid[1]
                if lid[1].startswith(p) and lid[1].endswith(s):
                    kind = "legal_rep_masked_id"
            elif lid[0] != "masked" and fid[0] != "masked":
                if lid[1] == fid[1]:
                    kind = "legal_rep_id"
        if kind is None:
            continue
        is_hit = not kind.startswith("possible")
        review = None
        if not is_hit:
            review = applied_review.get((f["uscc"], name_key(lst["case_no"]))) if lst["case_no"].strip() else None
            if review and review["decision"] == "confirmed":
                is_hit = True
        hits.append(dict(uscc=f["uscc"], firm_name=f["name"], subject="firm" if lst["subject"] == "org" else "legal_rep",
                         match=kind, is_hit=is_hit, list_type=lst["list_type"], case_no=lst["case_no"],
                         listed_name=lst["name"], listed_id=lst["id_raw"], listed_on=lst["listed_on"],
                         removed_on=lst["removed_on"], review=review, row=lst["row"]))

# ---- eligibility (rules §7) ------------------------------------------------------------------
REASONS = ["invalid_uscc", "not_in_city", "not_legal_person", "deregistered", "no_exports", "exports_over_threshold",
           "firm_blacklisted", "legal_rep_blacklisted"]
elig = {}
for u, f in firms.items():
    rs = set()
    if not uscc_valid(u):
        rs.add("invalid_uscc")
    if not f["district"].startswith(PERIOD["prefix"]):
        rs.add("not_in_city")
    if not u.startswith("91") or any(p in f["company_type"] for p in NLP):
        rs.add("not_legal_person")
    if any(p in f["reg_status"] for p in DEREG):
        rs.add("deregistered")
    se = exp_self.get(u, 0)
    if se == 0:
        rs.add("no_exports")
    if se > PERIOD["threshold"]:
        rs.add("exports_over_threshold")
    fh = [h for h in hits if h["uscc"] == u]
    for h in fh:
        if h["is_hit"]:
            rs.add("firm_blacklisted" if h["subject"] == "firm" else "legal_rep_blacklisted")
    elig[u] = dict(reasons=";".join(x for x in REASONS if x in rs), ok=not rs,
                   hits=sum(1 for h in fh if h["is_hit"]), possible=sum(1 for h in fh if not h["is_hit"]),
                   self=se, agency=exp_agency.get(u, 0))

with open(os.path.join(OUT, "firms.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["as_of", "period_id", "uscc", "name", "company_type", "reg_status", "legal_rep_name", "district", "district_source",
                "reference_year", "self_exports_usd", "agency_exports_usd", "is_eligible", "reasons", "blacklist_hits", "possible_matches"])
    for u in sorted(firms):
        f, e = firms[u], elig[u]
        w.writerow([AS_OF.isoformat(), PERIOD["id"], u, f["name"], f["company_type"], f["reg_status"], f["legal_rep_name"], f["district"],
                    f["dsrc"], REF_YEAR, money(e["self"]), money(e["agency"]), b(e["ok"]), e["reasons"], e["hits"], e["possible"]])

MATCH_ORDER = ["firm_uscc", "firm_org_code", "firm_name", "legal_rep_id", "legal_rep_masked_id", "possible_name_only", "possible_no_rep_id", "possible_masked_masked"]
LT_ORDER = ["dishonest_debtor", "serious_dishonesty", "gang_related"]
with open(os.path.join(OUT, "blacklist_hits.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["uscc", "firm_name", "subject", "match", "is_hit", "list_type", "case_no", "listed_name", "listed_id", "listed_on",
                "removed_on", "review", "reviewed_on", "reviewer", "source_file", "source_row"])
    for h in sorted(hits, key=lambda h: (h["uscc"], MATCH_ORDER.index(h["match"]), LT_ORDER.index(h["list_type"]), h["case_no"], h["row"])):
        rv = h["review"]
        w.writerow([h["uscc"], h["firm_name"], h["subject"], h["match"], b(h["is_hit"]), h["list_type"], h["case_no"], h["listed_name"],
                    h["listed_id"], ds(h["listed_on"]), ds(h["removed_on"]), rv["decision"] if rv else NULL, ds(rv["decided_on"]) if rv else NULL,
                    rv["reviewer"] if rv else NULL, "blacklists.csv", h["row"]])

# ---- enrollments -----------------------------------------------------------------------------


def cell_text(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


wb = openpyxl.load_workbook(os.path.join(S, "enrollments.xlsx"))
ws = wb.worksheets[0]
rows = list(ws.iter_rows())
hdr = [c.value for c in rows[0]]
enr_raw = []
for rr in rows[1:]:
    vals = {h: c.value for h, c in zip(hdr, rr)}
    if all(v is None for v in vals.values()):
        continue
    enr_raw.append((rr[0].row, vals))
enr_keys = {}
enr_faults = {}
for row, v in enr_raw:
    faults = []
    aid = norm_code(cell_text(v["application_id"]))
    enr_keys[row] = aid or None
    if not aid:
        faults.append(("application_id", "", "missing_value"))
    u = norm_code(cell_text(v["uscc"]))
    if not u:
        faults.append(("uscc", "", "missing_value"))
    elif not uscc_ok(u):
        faults.append(("uscc", cell_text(v["uscc"]), "malformed_uscc"))
    if not cell_text(v["policy_no"]).strip():
        faults.append(("policy_no", "", "missing_value"))
    py = parse_count(v["policy_year"]) if v["policy_year"] is not None else None
    if v["policy_year"] is None:
        faults.append(("policy_year", "", "missing_value"))
    elif py is None or not 1900 <= py <= 9999:
        faults.append(("policy_year", cell_text(v["policy_year"]), "invalid_integer"))
    for c in ("applied_on", "effective_on"):
        if v[c] is None:
            faults.append((c, "", "missing_value"))
        elif parse_date(v[c], True) is None:
            faults.append((c, cell_text(v[c]), "invalid_date"))
    stt = closed(cell_text(v["status"]), ENR_STATUS) if v["status"] is not None else None
    if v["status"] is None:
        faults.append(("status", "", "missing_value"))
    elif stt is None:
        faults.append(("status", cell_text(v["status"]), "unknown_value"))
    enr_faults[row] = faults
apps = []
out_of_run_enr = 0
for row, v, k in accepted("enrollments", "enrollments.xlsx", enr_raw, enr_keys, enr_faults, "application_id"):
    prem = v["premium_cny"]
    pc = None
    if prem is not None:
        pc = parse_amount(cell_text(prem))
        if isinstance(pc, str):
            pc = None
    a = dict(row=row, application_id=k, uscc=norm_code(cell_text(v["uscc"])), policy_no=norm_code(cell_text(v["policy_no"])),
             policy_year=parse_count(v["policy_year"]), applied_on=parse_date(v["applied_on"], True),
             effective_on=parse_date(v["effective_on"], True), status=closed(cell_text(v["status"]), ENR_STATUS), premium=pc)
    if a["applied_on"] > AS_OF:
        out_of_run_enr += 1
        continue
    apps.append(a)

enrolled_any = [a for a in apps if a["status"] in ENROLLED]
enrolled_year = [a for a in enrolled_any if a["policy_year"] == AS_OF.year]
by_uscc = defaultdict(list)
for a in enrolled_year:
    by_uscc[a["uscc"]].append(a)
for l in by_uscc.values():
    l.sort(key=lambda a: (a["applied_on"], a["application_id"]))

rec_rows = []
for u, f in firms.items():
    e = elig[u]
    l = by_uscc.get(u, [])
    a = l[0] if l else None
    if e["ok"]:
        status = "eligible_enrolled" if a else "eligible_not_enrolled"
    else:
        status = "enrolled_not_eligible" if a else "not_eligible_not_enrolled"
    rec_rows.append([u, f["name"], f["district"], b(e["ok"]), status, a["application_id"] if a else NULL, a["policy_no"] if a else NULL,
                     ds(a["applied_on"]) if a else NULL, b(len(l) > 1), ";".join(x["application_id"] for x in l[1:]),
                     money(a["premium"]) if a else NULL, money(a["premium"]) if a and status == "eligible_enrolled" else NULL])
for u, l in by_uscc.items():
    if u in firms:
        continue
    status = "enrolled_firm_rejected" if u in known_firm_usccs else "enrolled_unknown_firm"
    for i, a in enumerate(l):
        rec_rows.append([u, "", u[2:8], NULL, status, a["application_id"], a["policy_no"], ds(a["applied_on"]), b(i > 0), "",
                         money(a["premium"]), NULL])
rec_rows.sort(key=lambda r: (r[0], r[5]))
with open(os.path.join(OUT, "reconciliation.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["uscc", "name", "district", "is_eligible", "status", "application_id", "policy_no", "applied_on", "duplicate_enrollment",
                "other_applications", "premium_cny", "subsidy_cny"])
    w.writerows(rec_rows)

# ---- fx rates --------------------------------------------------------------------------------
fx_raw = []
with open(os.path.join(S, "fx_rates.csv"), encoding="utf-8") as fh:
    for row, rec in enumerate(csv.DictReader(fh), start=2):
        fx_raw.append((row, rec))
fx_keys, fx_faults = {}, {}
for row, rec in fx_raw:
    faults = []
    cur = norm_code(rec["currency"])
    curok = bool(re.match(r"^[A-Z]{3}$", cur))
    if not cur:
        faults.append(("currency", "", "missing_value"))
    elif not curok:
        faults.append(("currency", rec["currency"], "invalid_currency"))
    d = parse_date(rec["rate_date"]) if rec["rate_date"].strip() else None
    if not rec["rate_date"].strip():
        faults.append(("rate_date", "", "missing_value"))
    elif d is None:
        faults.append(("rate_date", rec["rate_date"], "invalid_date"))
    rt = parse_rate(rec["cny_per_unit"]) if rec["cny_per_unit"].strip() else None
    if not rec["cny_per_unit"].strip():
        faults.append(("cny_per_unit", "", "missing_value"))
    elif rt is None:
        faults.append(("cny_per_unit", rec["cny_per_unit"], "invalid_rate"))
    fx_keys[row] = f"{cur} {d.isoformat()}" if curok and d else None
    fx_faults[row] = faults
fx = defaultdict(list)  # cur -> [(date, rate Fraction, text, units)]
for row, rec, k in accepted("fx_rates", "fx_rates.csv", fx_raw, fx_keys, fx_faults, "currency,rate_date"):
    units = parse_count(rec.get("units", "")) if rec.get("units", "").strip() else None
    if not units:
        units = 1
    cur = norm_code(rec["currency"])
    fx[cur].append((parse_date(rec["rate_date"]), parse_rate(rec["cny_per_unit"]), rec["cny_per_unit"].strip(), units))


def latest(cur, d):
    c = [x for x in fx.get(cur, []) if x[0] <= d]
    return max(c, key=lambda x: x[0]) if c else None


def drop_zeros(t):
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    return t

# ---- claims ----------------------------------------------------------------------------------
claim_raw = []
with open(os.path.join(S, "claims.csv"), encoding="utf-8") as fh:
    for row, rec in enumerate(csv.DictReader(fh), start=2):
        claim_raw.append((row, rec))
REQ = ["claim_id", "policy_no", "uscc", "obligor_type", "obligor_id", "obligor_country", "cause", "credit_days", "self_contracted",
       "self_declared", "shipped_on", "notified_on", "currency", "loss_amount", "status"]
cl_keys, cl_faults = {}, {}
for row, rec in claim_raw:
    faults = []
    for c in REQ:
        if rec[c].strip() == "":
            faults.append((c, "", "missing_value"))
    cid = norm_code(rec["claim_id"])
    cl_keys[row] = cid or None
    u = norm_code(rec["uscc"])
    if u and not uscc_ok(u):
        faults.append(("uscc", rec["uscc"], "malformed_uscc"))
    if rec["obligor_type"].strip() and closed(rec["obligor_type"], OBLIGOR) is None:
        faults.append(("obligor_type", rec["obligor_type"], "unknown_value"))
    if rec["obligor_country"].strip() and not re.match(r"^[A-Z]{2}$", norm_code(rec["obligor_country"])):
        faults.append(("obligor_country", rec["obligor_country"], "invalid_country"))
    if rec["credit_days"].strip() and parse_count(rec["credit_days"]) is None:
        faults.append(("credit_days", rec["credit_days"], "invalid_integer"))
    for c in ("self_contracted", "self_declared"):
        if rec[c].strip() and parse_bool(rec[c]) is None:
            faults.append((c, rec[c], "invalid_boolean"))
    for c in ("shipped_on", "notified_on"):
        if rec[c].strip() and parse_date(rec[c]) is None:
            faults.append((c, rec[c], "invalid_date"))
    if rec["currency"].strip() and not re.match(r"^[A-Z]{3}$", norm_code(rec["currency"])):
        faults.append(("currency", rec["currency"], "invalid_currency"))
    if rec["loss_amount"].strip():
        a = parse_amount(rec["loss_amount"])
        if isinstance(a, str):
            faults.append(("loss_amount", rec["loss_amount"], a))
    if rec["status"].strip() and closed(rec["status"], CLAIM_STATUS) is None:
        faults.append(("status", rec["status"], "unknown_value"))
    cl_faults[row] = faults
claims = []
for row, rec, k in accepted("claims", "claims.csv", claim_raw, cl_keys, cl_faults, "claim_id"):
    ot = closed(rec["obligor_type"], OBLIGOR)
    oid = norm_code(rec["obligor_id"])
    cause = rec["cause"].strip().lower()
    cause = CAUSE_MAP.get(cause, cause)
    paid = parse_amount(rec["paid_usd"]) if rec["paid_usd"].strip() else None
    if isinstance(paid, str):
        paid = None
    recov = parse_amount(rec["recovered_amount"]) if rec["recovered_amount"].strip() else None
    if isinstance(recov, str):
        recov = None
    c = dict(row=row, claim_id=k, policy_no=norm_code(rec["policy_no"]), uscc=norm_code(rec["uscc"]), obligor_type=ot,
             obligor_key=oid[:8] if ot == "issuing_bank" else oid, country=norm_code(rec["obligor_country"]), cause=cause,
             credit_days=parse_count(rec["credit_days"]), sc=parse_bool(rec["self_contracted"]), sd=parse_bool(rec["self_declared"]),
             shipped_on=parse_date(rec["shipped_on"]), notified_on=parse_date(rec["notified_on"]), currency=norm_code(rec["currency"]),
             loss=parse_amount(rec["loss_amount"]), status=closed(rec["status"], CLAIM_STATUS), paid_usd=paid, recovered=recov)
    if c["notified_on"] > AS_OF:
        continue
    claims.append(c)


def app_period(a):
    p = period_on(dt.date(a["policy_year"], 1, 1))
    return p if p else period_on(a["effective_on"])


CREASONS = ["no_policy", "shipped_outside_cover", "cause_not_covered", "credit_term_too_long", "not_self_contracted", "not_self_declared", "missing_fx_rate"]
for c in claims:
    cand = sorted([a for a in enrolled_any if a["policy_no"] == c["policy_no"] and a["uscc"] == c["uscc"]],
                  key=lambda a: (a["applied_on"], a["application_id"]))
    a = cand[0] if cand else None
    rs = set()
    p = None
    if a is None:
        rs.add("no_policy")
        jp = period_on(c["shipped_on"])
    else:
        p = app_period(a)
        jp = p
        if p is None:
            rs.add("shipped_outside_cover")
        elif c["shipped_on"] < a["effective_on"] or c["shipped_on"] > dt.date(a["policy_year"], 12, 31) or c["shipped_on"] > p["end"]:
            rs.add("shipped_outside_cover")
    if jp is not None:
        if c["cause"] not in jp["causes"]:
            rs.add("cause_not_covered")
        if c["credit_days"] > jp["max_days"]:
            rs.add("credit_term_too_long")
    if not c["sc"]:
        rs.add("not_self_contracted")
    if not c["sd"]:
        rs.add("not_self_declared")
    # FX
    fxr = usdr = None
    factor = None  # USD per unit of claim currency, exact
    if c["currency"] == "USD":
        factor = Fraction(1)
    else:
        usdr = latest("USD", c["shipped_on"])
        if c["currency"] == "CNY":
            per = Fraction(1)
        else:
            fxr = latest(c["currency"], c["shipped_on"])
            per = fxr[1] / fxr[3] if fxr else None
        if per is not None and usdr is not None:
            factor = per / (usdr[1] / usdr[3])
        else:
            fxr = usdr = None
    if factor is None:
        rs.add("missing_fx_rate")
    c.update(application=a, period=p, fxr=fxr, usdr=usdr, factor=factor, reasons=";".join(x for x in CREASONS if x in rs), covered=not rs)
    c["usd_loss"] = round_half_away(c["loss"] * factor) if factor is not None else None
    c["recovered_usd"] = round_half_away(c["recovered"] * factor) if factor is not None and c["recovered"] is not None else None

# cap chains
chains = defaultdict(list)
for c in claims:
    c["consumes"] = c["covered"] and c["status"] in ("notified", "filed", "under_review", "paid")
    if c["consumes"]:
        chains[(c["policy_no"], c["obligor_type"], c["obligor_key"])].append(c)
for c in claims:
    known = c["usd_loss"] is not None
    if known:
        ratio = c["period"]["ratio_bp"] if c["period"] else None
        c["ibc"] = floor_frac(Fraction(c["usd_loss"] * ratio, 10000)) if c["covered"] else 0
    else:
        c["ibc"] = None
    c["taken_before"] = c["left"] = None
    if known:
        c["ind"] = 0
        c["cut"] = 0
    else:
        c["ind"] = c["cut"] = None
for key, l in chains.items():
    l.sort(key=lambda c: (c["notified_on"], c["claim_id"]))
    taken = 0
    for c in l:
        cap = c["period"]["cap"]
        c["taken_before"] = taken
        c["ind"] = min(c["ibc"], cap - taken)
        c["cut"] = c["ibc"] - c["ind"]
        taken += c["ind"]
        c["left"] = cap - taken
for c in claims:
    if c["usd_loss"] is None:
        c["share"] = c["net"] = c["paid_exp"] = c["out_exp"] = None
    else:
        if c["recovered"] is None or c["usd_loss"] == 0:
            share = 0
        else:
            share = round_half_away(c["recovered"] * c["factor"] * c["ind"] / c["usd_loss"])
            share = min(share, c["ind"])
        c["share"] = share
        c["net"] = c["ind"] - share
        c["paid_exp"] = c["ind"] if c["status"] == "paid" else 0
        c["out_exp"] = c["ind"] if c["status"] in ("notified", "filed", "under_review") else 0
    if c["status"] == "paid" and c["paid_usd"] is not None:
        c["mismatch"] = True if c["usd_loss"] is None else abs(c["paid_usd"] - c["ind"]) > 1
    else:
        c["mismatch"] = False

with open(os.path.join(OUT, "claims.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["claim_id", "policy_no", "uscc", "application_id", "period_id", "obligor_type", "obligor_key", "obligor_country", "cause",
                "status", "shipped_on", "notified_on", "currency", "loss_amount", "fx_rate_date", "fx_cny_per_unit", "fx_units",
                "usd_rate_date", "usd_cny_per_unit", "usd_units", "usd_loss", "is_covered", "reasons", "indemnity_ratio",
                "indemnity_before_cap_usd", "cap_usd", "cap_taken_before_usd", "indemnity_usd", "cut_by_cap_usd", "capacity_left_usd",
                "recovered_usd", "insurer_recovery_usd", "net_indemnity_usd", "paid_exposure_usd", "outstanding_exposure_usd", "paid_usd",
                "paid_mismatch"])
    for c in sorted(claims, key=lambda c: c["claim_id"]):
        a, p, fxr, usdr = c["application"], c["period"], c["fxr"], c["usdr"]
        w.writerow([c["claim_id"], c["policy_no"], c["uscc"], a["application_id"] if a else NULL, p["id"] if p else NULL, c["obligor_type"],
                    c["obligor_key"], c["country"], c["cause"], c["status"], ds(c["shipped_on"]), ds(c["notified_on"]), c["currency"],
                    money(c["loss"]), ds(fxr[0]) if fxr else NULL, drop_zeros(fxr[2]) if fxr else NULL, fxr[3] if fxr else NULL,
                    ds(usdr[0]) if usdr else NULL, drop_zeros(usdr[2]) if usdr else NULL, usdr[3] if usdr else NULL,
                    money(c["usd_loss"]), b(c["covered"]), c["reasons"], f"{p['ratio_bp'] // 10000}.{p['ratio_bp'] % 10000:04d}" if p else NULL,
                    money(c["ibc"]), money(p["cap"]) if p else NULL, money(c["taken_before"]), money(c["ind"]), money(c["cut"]),
                    money(c["left"]), money(c["recovered_usd"]), money(c["share"]), money(c["net"]), money(c["paid_exp"]),
                    money(c["out_exp"]), money(c["paid_usd"]), b(c["mismatch"])])

# ---- rejects ---------------------------------------------------------------------------------
with open(os.path.join(OUT, "rejects.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["input", "file", "row", "column", "value", "reason", "key"])
    INPUT_ORDER = ["firms", "exports", "blacklists", "enrollments", "claims", "fx_rates"]
    for r in sorted(rejects, key=lambda r: (INPUT_ORDER.index(r[0]), r[1], r[2], r[3], r[4], r[5])):
        w.writerow(r[:6] + [r[6] or NULL])

print("firms", len(firms), "eligible", sum(1 for e in elig.values() if e["ok"]), "hits", len(hits), "recon", len(rec_rows),
      "claims", len(claims), "rejects", len(rejects), "enr out of run", out_of_run_enr, file=sys.stderr)

# ---- against the golden files ----------------------------------------------------------------
def read_rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        r = csv.reader(fh)
        return next(r), sorted(tuple(row) for row in r)


differ = False
for name in ["firms.csv", "reconciliation.csv", "claims.csv", "blacklist_hits.csv", "rejects.csv"]:
    (h_got, got), (h_want, want) = read_rows(os.path.join(OUT, name)), read_rows(os.path.join(S, "expected", name))
    same = h_got == h_want and got == want
    differ |= not same
    print(f"{name}: {len(got)} rows derived, {len(want)} in sample_data/expected/: {'same' if same else 'DIFFERENT'}")
    if h_got != h_want:
        print(f"  columns derived {h_got}\n  columns expected {h_want}")
    for row in sorted(set(got) - set(want)):
        print("  derived only:", ",".join(row))
    for row in sorted(set(want) - set(got)):
        print("  expected only:", ",".join(row))
sys.exit(1 if differ else 0)
