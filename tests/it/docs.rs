//! The documentation stays true: `docs/outputs.md` lists every column of every detail table,
//! in order and with its type, as `frames` builds them; nothing in the repository points
//! outside it.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::support::*;

/// The type names `docs/outputs.md` uses.
fn doc_type(dt: &DataType) -> String {
    match dt {
        DataType::String => "string".into(),
        DataType::Boolean => "bool".into(),
        DataType::Date => "date".into(),
        DataType::Int64 => "int64".into(),
        DataType::Int32 => "int32".into(),
        DataType::Decimal(p, s) => format!("decimal({},{})", p, s),
        DataType::List(_) => "list".into(),
        other => format!("{other}"),
    }
}

/// `## \`table\`` sections and the (column, type) rows of their first markdown table.
fn documented() -> BTreeMap<String, Vec<(String, String)>> {
    let text = std::fs::read_to_string(repo().join("docs/outputs.md")).unwrap();
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            current = h.trim().strip_prefix('`').and_then(|h| h.strip_suffix('`')).map(str::to_string);
            continue;
        }
        let Some(table) = &current else { continue };
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() > 3 && cells[1].starts_with('`') {
            tables.entry(table.clone()).or_default().push((cells[1].trim_matches('`').to_string(), cells[2].to_string()));
        }
    }
    tables
}

#[test]
fn outputs_md_lists_every_column_of_every_detail_table_with_its_type() {
    let d = chrono::NaiveDate::from_ymd_opt(2022, 5, 7).unwrap();
    let frames: Vec<(&str, DataFrame)> = vec![
        ("firm_eligibility", tongbao::frames::firm_eligibility(&[], &[], d, "2022-2023").unwrap()),
        ("blacklist_hits", tongbao::frames::blacklist_hits(&[], &[]).unwrap()),
        ("enrollment_reconciliation", tongbao::frames::reconciliation(&[]).unwrap()),
        ("claim_indemnity", tongbao::frames::claim_indemnity(&[]).unwrap()),
        ("rejects", tongbao::frames::rejects(&[], true).unwrap()),
        ("row_warnings", tongbao::frames::rejects(&[], false).unwrap()),
        ("review_queue", tongbao::frames::review_queue(&[], &[], None).unwrap()),
        ("review_decisions", tongbao::frames::review_decisions(&[]).unwrap()),
    ];
    let docs = documented();
    for (name, df) in frames {
        let schema: Vec<(String, String)> = df.schema().iter().map(|(n, t)| (n.to_string(), doc_type(t))).collect();
        let documented = docs.get(name).unwrap_or_else(|| panic!("docs/outputs.md has no section `{name}`"));
        assert_eq!(documented, &schema, "docs/outputs.md, `{name}`: (column, type) as documented, then as built");
    }
}

#[test]
fn nothing_in_the_repository_points_outside_it() {
    let mut offenders = Vec::new();
    let mut stack = vec![repo()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name == "target" || name == "out" {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if ["rs", "md", "toml", "sql", "py"].iter().any(|x| name.ends_with(&format!(".{x}"))) || name == "crontab" {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                // the rules are stated in docs/rules.md; what a file must not point to is
                // spelt here in parts, so that this file does not point there either
                let spec = ["SP", "EC"].concat();
                let shared = ["sha", "red"].concat();
                for needle in [format!("{spec}.md"), format!("{spec} §"), format!("../{shared}"), format!("{shared}/seed")] {
                    if text.contains(&needle) {
                        offenders.push(format!("{}: {needle}", p.display()));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
