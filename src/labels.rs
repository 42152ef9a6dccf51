//! Chinese names of the codes the outputs carry (causes, statuses, reasons, list types,
//! match kinds, inputs), for the text a person reads: the report and `explain --lang zh`.
//! The tables keep the codes; these are for display only.

/// The Chinese name of a code, if it has one.
pub fn zh(code: &str) -> Option<&'static str> {
    Some(match code {
        // causes of loss
        "political" => "政治风险",
        "insolvency" => "破产",
        "protracted_default" => "拖欠",
        "rejection" => "拒收",
        "non_acceptance" => "拒绝承兑",
        // inputs
        "firms" => "企业名录",
        "exports" => "海关出口",
        "blacklists" => "失信及涉黑涉恶名单",
        "enrollments" => "投保申请",
        "claims" => "索赔",
        "fx_rates" => "汇率中间价",
        "reviews" => "复核决定",
        // reject reasons
        "invalid_encoding" => "编码错误",
        "wrong_field_count" => "字段数不符",
        "missing_value" => "缺少必填值",
        "malformed_uscc" => "统一社会信用代码格式错误",
        "invalid_date" => "日期无效",
        "invalid_month" => "月份无效",
        "invalid_amount" => "金额无效",
        "negative_amount" => "金额为负",
        "too_many_decimals" => "小数位过多",
        "amount_too_large" => "金额过大",
        "invalid_rate" => "汇率无效",
        "unknown_value" => "取值不在列表内",
        "invalid_boolean" => "是否值无效",
        "invalid_integer" => "整数无效",
        "invalid_currency" => "币种无效",
        "invalid_country" => "国别无效",
        "duplicate_key" => "主键重复",
        "invalid_check_character" => "校验码错误",
        "identifier_as_number" => "证件号以数字存储，可能丢位",
        // list types
        "dishonest_debtor" => "失信被执行人",
        "serious_dishonesty" => "严重失信主体",
        "gang_related" => "涉黑涉恶",
        // how a listing matched
        "firm_uscc" => "企业信用代码一致",
        "firm_org_code" => "组织机构代码一致",
        "firm_name" => "企业名称一致（名单无证件号）",
        "legal_rep_id" => "法定代表人姓名与证件号一致",
        "legal_rep_masked_id" => "法定代表人姓名一致、掩码证件号相符",
        "possible_name_only" => "仅姓名一致（名单无证件号）",
        "possible_no_rep_id" => "姓名一致（企业无法定代表人证件号）",
        "possible_masked_masked" => "姓名一致、双方证件号均为掩码",
        // eligibility reasons
        "invalid_uscc" => "信用代码校验位错误",
        "not_in_city" => "非本市注册",
        "not_legal_person" => "非独立法人",
        "deregistered" => "已注销或吊销",
        "no_exports" => "无自营出口",
        "exports_over_threshold" => "自营出口超过上限",
        "firm_blacklisted" => "企业在名单中",
        "legal_rep_blacklisted" => "法定代表人在名单中",
        // reconciliation statuses
        "eligible_enrolled" => "符合条件且已投保",
        "eligible_not_enrolled" => "符合条件未投保",
        "enrolled_not_eligible" => "已投保但不符合条件",
        "not_eligible_not_enrolled" => "不符合条件且未投保",
        "enrolled_firm_rejected" => "已投保，企业名录行被拒收",
        "enrolled_unknown_firm" => "已投保，企业不在名录中",
        // claim statuses and obligors
        "notified" => "已通知",
        "filed" => "已报案",
        "under_review" => "审核中",
        "paid" => "已赔付",
        "rejected" => "已拒赔",
        "withdrawn" => "已撤回",
        "buyer" => "买方",
        "issuing_bank" => "开证行",
        // review decisions
        "cleared" => "排除",
        "confirmed" => "确认",
        _ => return None,
    })
}

/// The Chinese name, or the code itself when it has none.
pub fn zh_only(code: &str) -> String {
    zh(code).map(str::to_string).unwrap_or_else(|| code.to_string())
}

/// The Chinese name followed by the code (`破产 insolvency`), for bilingual pages.
pub fn both(code: &str) -> String {
    match zh(code) {
        Some(z) => format!("{z} {code}"),
        None => code.to_string(),
    }
}

/// `;`-joined codes in Chinese, joined by `、`.
pub fn zh_list(codes: &str) -> String {
    codes.split(';').filter(|c| !c.is_empty()).map(zh_only).collect::<Vec<_>>().join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_a_person_reads_has_a_chinese_name() {
        for r in crate::rejects::Reason::ALL {
            assert!(zh(r.as_str()).is_some(), "{r}");
        }
        for i in crate::schema::Input::ALL {
            assert!(zh(i.name()).is_some(), "{}", i.name());
        }
        assert_eq!(zh_list("no_exports;firm_blacklisted"), "无自营出口、企业在名单中");
        assert_eq!(both("insolvency"), "破产 insolvency");
        assert_eq!(both("fraud"), "fraud");
    }
}
