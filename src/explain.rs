//! `tongbao explain`: in plain words, in Chinese or English, why a firm is or is not
//! eligible and how a claim's indemnity was reached. Pure: builds text from an evaluation.

use crate::model::Inputs;
use crate::rejects::Reject;
use crate::rules::Evaluation;
use crate::rules::claims::{ClaimReason, ClaimResult};
use crate::rules::eligibility::FirmReason;

/// The language of an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// Every reject of the rows of `input` whose key is `key` (rejected for any reason).
fn rejects_of<'a>(inputs: &Inputs, rejects: &'a [Reject], input: crate::schema::Input, key: &str) -> Vec<&'a Reject> {
    let rows: Vec<&crate::model::Origin> = inputs.rejected_rows.iter().filter(|(i, k, _)| *i == input && k.as_str() == key).map(|(_, _, o)| o).collect();
    rejects.iter().filter(|r| r.input == input.name() && rows.iter().any(|o| *o.file == *r.file && o.row == r.row)).collect()
}

/// One rejected (row, column, reason), as a line of the explanation.
fn reject_line(r: &Reject, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("  被拒收：`{}` 第 {} 行，列 {}，原因：{}\n", r.file, r.row, r.column, crate::labels::zh_only(r.reason.as_str())),
        Lang::En => format!("  rejected: `{}` row {}, column {}, reason {}\n", r.file, r.row, r.column, r.reason),
    }
}

/// A code as the reader's language shows it: its Chinese name in Chinese text.
fn code(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Zh => crate::labels::zh_only(code),
        Lang::En => code.to_string(),
    }
}

/// Pick the Chinese or English text.
fn tr<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn usd(cents: i64) -> String {
    format!("USD {}", thousands(cents))
}

fn thousands(cents: i64) -> String {
    crate::values::format_cents_grouped(cents)
}

fn yes_no(lang: Lang, ok: bool) -> &'static str {
    match (lang, ok) {
        (Lang::Zh, true) => "通过",
        (Lang::Zh, false) => "不通过",
        (Lang::En, true) => "pass",
        (Lang::En, false) => "FAIL",
    }
}

/// Why a firm is or is not eligible: each rule with the figures it used. `Err` (one line)
/// when no input row names the firm at all.
pub fn firm(eval: &Evaluation, inputs: &Inputs, rejects: &[Reject], uscc_raw: &str, lang: Lang) -> Result<String, String> {
    let uscc = crate::ident::normalise_code(uscc_raw);
    let Some((idx, f)) = inputs.firms.iter().enumerate().find(|(_, f)| f.uscc == uscc) else {
        let rejected = rejects_of(inputs, rejects, crate::schema::Input::Firms, &uscc);
        let known = !rejected.is_empty();
        if !known {
            return Err(match lang {
                Lang::Zh => format!("企业 {uscc} 不在企业名录中（既未接收，也无被拒收的行）"),
                Lang::En => format!("firm {uscc} is in no row of the firms input (neither accepted nor rejected)"),
            });
        }
        let mut out = match lang {
            Lang::Zh => format!("企业 {uscc} 不在已接收的企业名单中。\n"),
            Lang::En => format!("firm {uscc} is not among the accepted firms.\n"),
        };
        for r in rejected {
            out += &reject_line(r, lang);
        }
        return Ok(out);
    };
    let el = &eval.eligibility[idx];
    let p = &eval.period;
    let fails = |r: FirmReason| el.reasons.contains(&r);
    let mut out = String::new();
    out += &format!("{} {} ({})\n", tr(lang, "企业", "firm"), f.uscc, f.name);
    out += &format!(
        "{}: {} ({} {}, {} {})\n\n",
        tr(lang, "评估日", "evaluation date"),
        eval.as_of,
        tr(lang, "政策期", "policy period"),
        p.id,
        tr(lang, "参考年度", "reference year"),
        eval.reference_year
    );
    let line = |out: &mut String, ok: bool, text: String| {
        *out += &format!("  [{}] {text}\n", yes_no(lang, ok));
    };
    line(&mut out, !fails(FirmReason::InvalidUscc), match lang {
        Lang::Zh => "统一社会信用代码校验位".to_string(),
        Lang::En => "USCC check characters".to_string(),
    });
    let source = if el.district_source == "district_code" { tr(lang, "登记机关区划代码", "district_code") } else { tr(lang, "信用代码第3–8位", "USCC positions 3–8") };
    line(&mut out, !fails(FirmReason::NotInCity), match lang {
        Lang::Zh => format!("注册地：区划 {}（取自{source}），须以 {} 开头", el.district, p.city_prefix),
        Lang::En => format!("registered in the city: district {} (from {source}) must start with {}", el.district, p.city_prefix),
    });
    line(&mut out, !fails(FirmReason::NotLegalPerson), match lang {
        Lang::Zh => format!("独立法人：信用代码以 {} 开头，企业类型「{}」", &f.uscc[..2], f.company_type),
        Lang::En => format!("independent legal person: USCC starts with {}, company type \"{}\"", &f.uscc[..2], f.company_type),
    });
    line(&mut out, !fails(FirmReason::Deregistered), match lang {
        Lang::Zh => format!("登记状态「{}」", f.reg_status),
        Lang::En => format!("registration status \"{}\"", f.reg_status),
    });
    let exports_ok = !fails(FirmReason::NoExports) && !fails(FirmReason::ExportsOverThreshold);
    line(&mut out, exports_ok, match lang {
        Lang::Zh => format!(
            "{} 年自营出口 {}（代理出口 {} 不计），须大于 0 且不超过 {}",
            eval.reference_year,
            usd(el.self_exports_cents),
            usd(el.agency_exports_cents),
            usd(p.export_threshold_cents)
        ),
        Lang::En => format!(
            "{} self-operated exports {} (agency exports {} do not count) must be above 0 and at most {}",
            eval.reference_year,
            usd(el.self_exports_cents),
            usd(el.agency_exports_cents),
            usd(p.export_threshold_cents)
        ),
    });
    let hits: Vec<_> = eval.hits.iter().filter(|h| h.uscc == f.uscc).collect();
    line(&mut out, !fails(FirmReason::FirmBlacklisted) && !fails(FirmReason::LegalRepBlacklisted), match lang {
        Lang::Zh => format!("失信与涉黑涉恶名单（企业及法定代表人 {}）：命中 {} 条，疑似 {} 条", f.legal_rep_name, el.hits, el.possible_matches),
        Lang::En => format!("dishonesty and gang-related lists (firm and legal representative {}): {} hits, {} possible matches", f.legal_rep_name, el.hits, el.possible_matches),
    });
    for h in hits {
        let kind = match (h.kind.is_hit(), h.review.as_ref().map(|r| r.decision)) {
            (true, _) => tr(lang, "命中", "hit"),
            (false, Some(crate::model::ReviewDecision::Confirmed)) => tr(lang, "疑似，经复核确认，计为命中", "possible match, confirmed by review: counts as a hit"),
            (false, Some(crate::model::ReviewDecision::Cleared)) => tr(lang, "疑似，经复核排除", "possible match, cleared by review"),
            (false, None) => tr(lang, "疑似，待复核", "possible match, for review"),
        };
        let decision = h
            .review
            .as_ref()
            .map(|r| {
                let who = if r.reviewer.is_empty() { String::new() } else { format!(" ({})", r.reviewer) };
                match lang {
                    Lang::Zh => format!("；复核决定：{} {}{who}", crate::labels::zh_only(r.decision.as_str()), r.decided_on),
                    Lang::En => format!("; review decision: {} on {}{who}", r.decision.as_str(), r.decided_on),
                }
            })
            .unwrap_or_default();
        out += &format!(
            "      - {kind}: {} {}, {} {}, {} {}, {} {}{}{decision}\n",
            tr(lang, "名单", "list"),
            code(lang, h.list_type.as_str()),
            tr(lang, "案号", "case"),
            if h.case_no.is_empty() { "-" } else { &h.case_no },
            tr(lang, "匹配方式", "matched by"),
            code(lang, h.kind.as_str()),
            tr(lang, "列入", "listed"),
            h.listed_on,
            h.removed_on.map(|r| format!(", {} {r}", tr(lang, "移出", "removed"))).unwrap_or_default()
        );
    }
    out += "\n";
    out += &match (lang, el.is_eligible) {
        (Lang::Zh, true) => "结论：符合统保条件。\n".to_string(),
        (Lang::En, true) => "conclusion: eligible.\n".to_string(),
        (Lang::Zh, false) => format!("结论：不符合统保条件（{}）。\n", crate::labels::zh_list(&el.reasons_text())),
        (Lang::En, false) => format!("conclusion: not eligible ({}).\n", el.reasons_text()),
    };
    if let Some(r) = eval.reconciliation.iter().find(|r| r.uscc == f.uscc) {
        out += &match lang {
            Lang::Zh => format!(
                "投保核对：{}{}{}\n",
                crate::labels::zh_only(r.status.as_str()),
                r.application_id.as_ref().map(|a| format!("，申请 {a}")).unwrap_or_default(),
                r.subsidy_cny_cents.map(|s| format!("，财政全额扶持保费 CNY {}", thousands(s))).unwrap_or_default()
            ),
            Lang::En => format!(
                "enrollment: {}{}{}\n",
                r.status.as_str(),
                r.application_id.as_ref().map(|a| format!(", application {a}")).unwrap_or_default(),
                r.subsidy_cny_cents.map(|s| format!(", premium paid by the city CNY {}", thousands(s))).unwrap_or_default()
            ),
        };
    }
    Ok(out)
}

fn claim_reason_text(r: ClaimReason, lang: Lang) -> &'static str {
    match (r, lang) {
        (ClaimReason::NoPolicy, Lang::Zh) => "没有对应的有效投保（保单号与信用代码）",
        (ClaimReason::NoPolicy, Lang::En) => "no enrolled application with this policy number and USCC",
        (ClaimReason::ShippedOutsideCover, Lang::Zh) => "出运日期不在保险责任期内",
        (ClaimReason::ShippedOutsideCover, Lang::En) => "shipped outside the period of cover",
        (ClaimReason::CauseNotCovered, Lang::Zh) => "损失原因不属于保险责任",
        (ClaimReason::CauseNotCovered, Lang::En) => "cause of loss not covered",
        (ClaimReason::CreditTermTooLong, Lang::Zh) => "信用期限超过一年",
        (ClaimReason::CreditTermTooLong, Lang::En) => "credit term longer than allowed",
        (ClaimReason::NotSelfContracted, Lang::Zh) => "非被保险人自签合同",
        (ClaimReason::NotSelfContracted, Lang::En) => "sales contract not signed by the insured",
        (ClaimReason::NotSelfDeclared, Lang::Zh) => "非被保险人自营报关",
        (ClaimReason::NotSelfDeclared, Lang::En) => "goods not declared by the insured",
        (ClaimReason::MissingFxRate, Lang::Zh) => "出运日及之前没有汇率中间价",
        (ClaimReason::MissingFxRate, Lang::En) => "no fixing on or before the shipment date",
    }
}

fn money_or_unknown(v: Option<i64>, lang: Lang) -> String {
    v.map(usd).unwrap_or_else(|| tr(lang, "未知", "unknown").to_string())
}

/// How one claim's indemnity was reached. `Err` (one line) when no input row names it.
pub fn claim(eval: &Evaluation, inputs: &Inputs, rejects: &[Reject], claim_id: &str, lang: Lang) -> Result<String, String> {
    let id = crate::ident::normalise_code(claim_id);
    let Some(c) = eval.claims.iter().find(|c| c.claim_id == id) else {
        let later = inputs.claims.iter().find(|c| c.claim_id == id);
        let rejected = rejects_of(inputs, rejects, crate::schema::Input::Claims, &id);
        return match (later, rejected.is_empty(), lang) {
            (Some(c), _, Lang::Zh) => Ok(format!("案件 {id} 的可能损失通知日 {} 晚于评估日 {}，不在本次评估范围内。\n", c.notified_on, eval.as_of)),
            (Some(c), _, Lang::En) => Ok(format!("claim {id} was notified on {}, after the evaluation date {}: it is out of this run.\n", c.notified_on, eval.as_of)),
            (None, false, _) => {
                let mut out = match lang {
                    Lang::Zh => format!("案件 {id} 被拒收：\n"),
                    Lang::En => format!("claim {id} was rejected:\n"),
                };
                for r in rejected {
                    out += &reject_line(r, lang);
                }
                Ok(out)
            }
            (None, true, Lang::Zh) => Err(format!("索赔数据中没有案件 {id}")),
            (None, true, Lang::En) => Err(format!("there is no claim {id} in the claims input")),
        };
    };
    let mut out = String::new();
    out += &format!(
        "{} {} — {} {}, {} {} ({}), {} {}\n",
        tr(lang, "案件", "claim"),
        c.claim_id,
        tr(lang, "保单", "policy"),
        c.policy_no,
        tr(lang, "债务人", "obligor"),
        c.obligor_key,
        code(lang, c.obligor_type.as_str()),
        tr(lang, "状态", "status"),
        code(lang, c.status.as_str())
    );
    out += &match (lang, &c.application_id, &c.period_id) {
        (Lang::Zh, Some(a), Some(p)) => format!("依据投保申请 {a}（政策期 {p}）判断。\n"),
        (Lang::En, Some(a), Some(p)) => format!("judged under application {a} (policy period {p}).\n"),
        (Lang::Zh, Some(a), None) => format!("依据投保申请 {a}，但没有政策期覆盖它。\n"),
        (Lang::En, Some(a), None) => format!("judged under application {a}, which no policy period covers.\n"),
        (Lang::Zh, None, _) => "没有对应的有效投保申请。\n".to_string(),
        (Lang::En, None, _) => "no enrolled application matches it.\n".to_string(),
    };
    out += &match lang {
        Lang::Zh => format!("1. 保险责任：{}\n", if c.is_covered { "属于保险责任".to_string() } else { c.reasons.iter().map(|r| claim_reason_text(*r, lang)).collect::<Vec<_>>().join("；") }),
        Lang::En => format!("1. coverage: {}\n", if c.is_covered { "covered".to_string() } else { c.reasons.iter().map(|r| claim_reason_text(*r, lang)).collect::<Vec<_>>().join("; ") }),
    };
    out += &conversion_text(c, lang);
    let ratio = c.ratio_bp.map(|bp| format!("{}%", bp as f64 / 100.0)).unwrap_or_else(|| "-".into());
    out += &match lang {
        Lang::Zh => format!("3. 赔偿比例 {ratio}，向下取整到分：{}\n", money_or_unknown(c.indemnity_before_cap_cents, lang)),
        Lang::En => format!("3. indemnity ratio {ratio}, rounded down to the cent: {}\n", money_or_unknown(c.indemnity_before_cap_cents, lang)),
    };
    if let (Some(taken), Some(cap)) = (c.cap_taken_before_cents, c.cap_cents) {
        let earlier: Vec<&ClaimResult> = eval
            .claims
            .iter()
            .filter(|o| o.policy_no == c.policy_no && o.obligor_type == c.obligor_type && o.obligor_key == c.obligor_key)
            .filter(|o| (o.notified_on, &o.claim_id) < (c.notified_on, &c.claim_id) && o.capacity_left_cents.is_some())
            .collect();
        out += &match lang {
            Lang::Zh => format!("4. 单一买家/开证行限额 {}；此前 {} 个案件已占用 {}", usd(cap), earlier.len(), usd(taken)),
            Lang::En => format!("4. cap per buyer or issuing bank {}; {} earlier claims had taken {}", usd(cap), earlier.len(), usd(taken)),
        };
        let list: Vec<String> = earlier.iter().map(|o| format!("{} {}", o.claim_id, money_or_unknown(o.indemnity_cents, lang))).collect();
        if !list.is_empty() {
            out += &format!(" ({})", list.join(", "));
        }
        out += &match lang {
            Lang::Zh => format!("\n   本案赔偿 {}，被限额削减 {}，剩余额度 {}\n", money_or_unknown(c.indemnity_cents, lang), money_or_unknown(c.cut_by_cap_cents, lang), money_or_unknown(c.capacity_left_cents, lang)),
            Lang::En => format!("\n   this claim gets {}, cut by the cap {}, capacity left {}\n", money_or_unknown(c.indemnity_cents, lang), money_or_unknown(c.cut_by_cap_cents, lang), money_or_unknown(c.capacity_left_cents, lang)),
        };
    } else {
        let why = match (c.is_covered, c.status.is_live(), lang) {
            (true, false, Lang::Zh) => format!("（状态 {}：不赔付）", crate::labels::zh_only(c.status.as_str())),
            (true, false, Lang::En) => format!(" (status {}: owes nothing)", c.status.as_str()),
            (false, _, Lang::Zh) => "（不属于保险责任）".to_string(),
            (false, _, Lang::En) => " (not covered)".to_string(),
            _ => String::new(),
        };
        out += &match lang {
            Lang::Zh => format!("4. 不占用限额{why}；赔偿 {}\n", money_or_unknown(c.indemnity_cents, lang)),
            Lang::En => format!("4. takes nothing from the cap{why}; indemnity {}\n", money_or_unknown(c.indemnity_cents, lang)),
        };
    }
    if let Some(rec) = c.recovered_usd_cents {
        out += &match lang {
            Lang::Zh => format!("5. 追回 {}，保险人按 赔偿÷损失 分得 {}，净赔付 {}\n", usd(rec), money_or_unknown(c.insurer_recovery_cents, lang), money_or_unknown(c.net_indemnity_cents, lang)),
            Lang::En => format!("5. recovered {}; the insurer's share (indemnity ÷ loss) is {}, net indemnity {}\n", usd(rec), money_or_unknown(c.insurer_recovery_cents, lang), money_or_unknown(c.net_indemnity_cents, lang)),
        };
    }
    if c.paid_mismatch == Some(true) {
        out += &match lang {
            Lang::Zh => format!("注意：记录的已赔付金额 {} 与计算结果不符，需核对。\n", money_or_unknown(c.paid_usd_cents, lang)),
            Lang::En => format!("note: the recorded paid amount {} differs from the computed indemnity: to reconcile.\n", money_or_unknown(c.paid_usd_cents, lang)),
        };
    }
    Ok(out)
}

fn conversion_text(c: &ClaimResult, lang: Lang) -> String {
    let loss = format!("{} {}", c.currency, thousands(c.loss_cents));
    let fixing = |f: &crate::model::FxRate| format!("{} {} = CNY {} ({})", f.units, f.currency, crate::frames::rate_text(f), f.rate_date);
    match (&c.usd_loss_cents, &c.fx_rate, &c.usd_rate) {
        (None, _, _) => match lang {
            Lang::Zh => format!("2. 损失 {loss}：出运日 {} 及之前没有所需汇率，美元金额未知\n", c.shipped_on),
            Lang::En => format!("2. loss {loss}: no fixing on or before shipment ({}), USD amount unknown\n", c.shipped_on),
        },
        (Some(u), _, None) => match lang {
            Lang::Zh => format!("2. 损失 {loss}，即 {}\n", usd(*u)),
            Lang::En => format!("2. loss {loss}, that is {}\n", usd(*u)),
        },
        (Some(u), rate, Some(usd_rate)) => {
            let via = rate.as_ref().map(|r| format!("{}; ", fixing(r))).unwrap_or_default();
            match lang {
                Lang::Zh => format!("2. 损失 {loss}，按出运日 {} 及之前最近的中间价（{via}{}）折合 {}，四舍五入到分\n", c.shipped_on, fixing(usd_rate), usd(*u)),
                Lang::En => format!("2. loss {loss} at the latest fixings on or before shipment {} ({via}{}) is {}, rounded half away from zero\n", c.shipped_on, fixing(usd_rate), usd(*u)),
            }
        }
    }
}
