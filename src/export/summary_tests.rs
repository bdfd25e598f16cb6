use super::*;

const FIXTURE: &str = include_str!("../../tests/fixtures/batch/results-with-comparisons.json");

fn batch() -> BatchSummary {
    BatchSummary {
        reports: vec![
            ReportSummary {
                config: "configs/reg.toml".into(),
                folder: "reg".into(),
                outcome: ReportOutcome::Rendered(ReportDigest::from_results_json(FIXTURE).unwrap()),
            },
            ReportSummary {
                config: "configs/bad.toml".into(),
                folder: "bad".into(),
                outcome: ReportOutcome::Failed("configs/bad.toml: line 3: oops".into()),
            },
        ],
    }
}

#[test]
fn a_digest_reads_comparisons_and_checks() {
    let digest = ReportDigest::from_results_json(FIXTURE).unwrap();
    assert_eq!(digest.title, "Three regression models");
    assert_eq!(digest.warnings, vec!["mse: 2 rows are far from the rest"]);
    assert_eq!(digest.comparisons[0].results.len(), 4);
    assert!(digest.comparisons[0].results[3].value.is_infinite());
    assert!(digest.comparisons[0].results[3].ci_low.unwrap().is_nan());
    let failed: Vec<String> = digest.failed_checks().map(Check::text).collect();
    assert_eq!(failed, vec!["B beats A under huber"]);
    assert_eq!(digest.checks[1].text(), "A, mse, max 1.5");
}

#[test]
fn a_report_without_comparisons_has_none() {
    let digest =
        ReportDigest::from_results_json(r#"{"title": "t", "intro": "", "warnings": []}"#).unwrap();
    assert!(digest.comparisons.is_empty() && digest.checks.is_empty());
    let summary = BatchSummary {
        reports: vec![ReportSummary {
            config: "t.toml".into(),
            folder: "t".into(),
            outcome: ReportOutcome::Rendered(digest),
        }],
    };
    assert!(summary.comparison_rows().is_empty());
    assert!(!summary.any_check_failed());
    assert_eq!(
        summary_csv(&summary).unwrap(),
        "report,comparison,loss,model,n,confidence,value,ci_low,ci_high,rank\n"
    );
}

#[test]
fn rows_carry_parameters_and_ranks() {
    let rows = batch().comparison_rows();
    let loss_model: Vec<(String, String, Option<usize>)> = rows
        .iter()
        .map(|r| (r.loss.clone(), r.model.clone(), r.rank))
        .collect();
    assert_eq!(
        loss_model,
        vec![
            ("mse".into(), "A".into(), Some(1)),
            ("mse".into(), "B".into(), Some(2)),
            ("huber (delta=0.5)".into(), "A".into(), Some(1)),
            ("huber (delta=0.5)".into(), "B".into(), Some(2)),
        ]
    );
    assert!(batch().any_check_failed());
}

#[test]
fn the_csv_has_full_precision_and_named_non_finite_numbers() {
    let csv = summary_csv(&batch()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[1], "reg,regression,mse,A,1000,0.95,1.25,1,1.5,1");
    assert_eq!(
        lines[4],
        "reg,regression,huber (delta=0.5),B,1000,0.95,Infinity,NaN,Infinity,2"
    );
}

#[test]
fn the_json_lists_failed_reports_with_their_error() {
    let json: Value = serde_json::from_str(&summary_json(&batch()).unwrap()).unwrap();
    let reports = json["reports"].as_array().unwrap();
    assert_eq!(reports[0]["status"], "rendered");
    assert_eq!(reports[0]["index"], "reg/index.html");
    assert_eq!(reports[0]["checks_failed"], 1);
    assert_eq!(reports[0]["checks_passed"], 1);
    assert_eq!(reports[1]["status"], "failed");
    assert_eq!(reports[1]["error"], "configs/bad.toml: line 3: oops");
    let comparisons = json["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 4);
    assert_eq!(comparisons[3]["value"], "Infinity");
    assert_eq!(comparisons[3]["ci_low"], "NaN");
}

#[test]
fn a_malformed_comparison_is_an_error_not_a_guess() {
    let text = r#"{"title": "t", "comparisons": [{"results": [{"model": "A"}]}]}"#;
    assert!(ReportDigest::from_results_json(text).is_err());
}
