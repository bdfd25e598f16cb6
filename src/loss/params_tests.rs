//! Parameter parsing and validation: accepted forms and error messages.

use super::super::Loss;
use super::*;

fn params(pairs: &[(&str, ParamValue)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn err(loss: &str, pairs: &[(&str, ParamValue)]) -> String {
    Loss::new(loss, &params(pairs)).unwrap_err().to_string()
}

#[test]
fn parse_text_kinds() {
    assert_eq!(ParamValue::parse_text("-100"), ParamValue::Number(-100.0));
    assert_eq!(ParamValue::parse_text("null"), ParamValue::None);
    assert_eq!(ParamValue::parse_text("none"), ParamValue::None);
    assert_eq!(ParamValue::parse_text("false"), ParamValue::Bool(false));
    assert_eq!(
        ParamValue::parse_text("[1.0,2.0,0.5]"),
        ParamValue::List(vec![1.0, 2.0, 0.5])
    );
    assert_eq!(
        ParamValue::parse_text("[1,x]"),
        ParamValue::Text("[1,x]".into())
    );
}

#[test]
fn defaults_are_filled() {
    let kl = Loss::new("kld", &Params::new()).unwrap();
    assert_eq!(kl.params()["base"], ParamValue::Text("e".into()));
    assert_eq!(kl.params()["normalize"], ParamValue::Bool(false));
    let focal = Loss::new(
        "binary_focal_cross_entropy",
        &params(&[("alpha", ParamValue::None)]),
    )
    .unwrap();
    assert_eq!(focal.params()["alpha"], ParamValue::None);
    assert_eq!(focal.params()["gamma"], ParamValue::Number(2.0));
}

#[test]
fn accepted_forms() {
    assert!(Loss::new("kl", &params(&[("base", ParamValue::Number(2.0))])).is_ok());
    assert!(Loss::new("kl", &params(&[("base", ParamValue::Text("10".into()))])).is_ok());
    assert!(Loss::new(
        "scce",
        &params(&[("ignore_index", ParamValue::Number(-100.0))])
    )
    .is_ok());
    assert!(Loss::new(
        "bce",
        &params(&[("from_logits", ParamValue::Text("true".into()))])
    )
    .is_ok());
}

#[test]
fn unknown_parameter_lists_known_ones() {
    assert_eq!(
        err("huber", &[("beta", ParamValue::Number(1.0))]),
        "loss `huber` has no parameter `beta` (it takes: delta)"
    );
    assert_eq!(
        err("mse", &[("delta", ParamValue::Number(1.0))]),
        "loss `mse` has no parameter `delta` (it takes: no parameters)"
    );
}

#[test]
fn bad_values_name_param_and_value() {
    let n = ParamValue::Number;
    assert_eq!(
        err("smooth_l1", &[("beta", n(0.0))]),
        "parameter `beta` of `smooth_l1`: must be > 0, got 0"
    );
    assert!(err("kl", &[("base", n(1.0))])
        .contains("`base` of `kl_divergence`: must be > 0 and not 1, got 1"));
    assert!(err("kl", &[("base", n(-2.0))]).contains("got -2"));
    assert!(err("kl", &[("base", ParamValue::Text("pi".into()))]).contains("got `pi`"));
    assert!(err("bce", &[("label_smoothing", n(1.5))])
        .contains("`label_smoothing` of `binary_cross_entropy`: must be in [0, 1], got 1.5"));
    assert!(err("quantile", &[("tau", n(1.0))])
        .contains("`tau` of `quantile`: must be in (0, 1), got 1"));
    assert!(err("binary_focal", &[("gamma", n(-1.0))]).contains("`gamma`"));
    assert!(err("binary_focal", &[("alpha", n(2.0))])
        .contains("`alpha` of `binary_focal_cross_entropy`: must be in [0, 1] or none, got 2"));
    assert!(err("bce", &[("epsilon", n(0.5))]).contains("`epsilon`"));
    assert!(err(
        "cce",
        &[("class_weights", ParamValue::List(vec![1.0, -2.0]))]
    )
    .contains("entry 1 is -2"));
    assert!(err("scce", &[("ignore_index", n(1.5))]).contains("must be an integer, got 1.5"));
    assert!(err("bce", &[("from_logits", n(1.0))]).contains("expected true or false, got 1"));
    assert!(err("huber", &[("delta", ParamValue::Text("abc".into()))])
        .contains("expected a number, got `abc`"));
}
