//! The text is what toml's value tree printed by serde_json gave, byte for
//! byte, whatever serde hands over.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::ResultsJson;
use crate::export::results_json_through_toml;

fn assert_same(value: &impl Serialize) {
    let expected = results_json_through_toml(value).unwrap();
    let json = ResultsJson::of(value).unwrap();
    assert_eq!(json.text(), expected);
    assert_eq!(json.len(), expected.len());
    let mut written = Vec::new();
    json.write_to(&mut written).unwrap();
    assert_eq!(written, expected.as_bytes());
}

#[derive(Serialize)]
enum Shape {
    Unit,
    Newtype(f64),
    Tuple(i32, String),
    Struct { zeta: u8, alpha: Option<f32> },
}

#[derive(Serialize)]
struct Inner {
    z: Vec<[f64; 2]>,
    b: Option<&'static str>,
    a: bool,
}

#[derive(Serialize)]
struct Outer {
    zeta: u64,
    text: String,
    numbers: Vec<f64>,
    singles: Vec<f32>,
    missing: Option<u32>,
    /// A `None` inside an array: toml leaves the whole entry out.
    holes: Vec<Option<f64>>,
    nested: Vec<Inner>,
    empty: Vec<u8>,
    all_none: Inner2,
    map: BTreeMap<String, i64>,
    hashed: HashMap<String, Vec<i8>>,
    shapes: Vec<Shape>,
    letter: char,
    #[serde(flatten)]
    flat: BTreeMap<String, String>,
    alpha: (i16, f64),
}

#[derive(Serialize)]
struct Inner2 {
    only: Option<bool>,
}

fn outer() -> Outer {
    Outer {
        zeta: 7,
        text: "quote \" and\nline ‖ \u{1}".into(),
        numbers: vec![
            1.5,
            -0.0,
            1e300,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2.0,
        ],
        singles: vec![0.1, f32::MAX, f32::NAN],
        missing: None,
        holes: vec![Some(1.0), None],
        nested: vec![
            Inner {
                z: vec![[0.1, 0.2], [f64::NAN, 3.0]],
                b: None,
                a: true,
            },
            Inner {
                z: vec![],
                b: Some("b"),
                a: false,
            },
        ],
        empty: vec![],
        all_none: Inner2 { only: None },
        map: BTreeMap::from([("y".into(), -2), ("x\"q".into(), 1), ("é".into(), 3)]),
        hashed: HashMap::from([
            ("b".into(), vec![1]),
            ("a".into(), vec![]),
            ("c".into(), vec![-3]),
        ]),
        shapes: vec![
            Shape::Unit,
            Shape::Newtype(0.5),
            Shape::Tuple(-1, "t".into()),
            Shape::Struct {
                zeta: 3,
                alpha: None,
            },
            Shape::Struct {
                zeta: 4,
                alpha: Some(0.25),
            },
        ],
        letter: 'λ',
        // Keys the struct has too: the last given wins, as in toml's table.
        flat: BTreeMap::from([("zeta".into(), "flat".into()), ("beta".into(), "b".into())]),
        alpha: (3, 0.75),
    }
}

#[test]
fn every_kind_of_value_is_written_as_toml_had_it() {
    assert_same(&outer());
    // The cases toml decides: what it drops, which duplicate it keeps.
    let text = ResultsJson::of(&outer()).unwrap().text();
    assert!(
        !text.contains("holes") && !text.contains("missing"),
        "{text}"
    );
    assert!(text.contains("\"all_none\": {},"), "{text}");
    assert!(text.contains("\"zeta\": \"flat\""), "{text}");
    assert!(text.contains("\"Newtype\": 0.5"), "{text}");
    assert!(
        text.contains("\"NaN\"") && text.contains("\"-Infinity\""),
        "{text}"
    );
}

#[test]
fn objects_already_in_order_and_empty_ones() {
    assert_same(&BTreeMap::from([("a", 1), ("b", 2)]));
    assert_same(&BTreeMap::<String, i32>::new());
    assert_same(&vec![Inner2 { only: None }, Inner2 { only: Some(true) }]);
    assert_same(&vec![vec![vec![1u8]], vec![]]);
}

/// Deeper than the indents written in one piece.
#[test]
fn deep_nesting() {
    let mut deep = serde_json::json!([1, {"k": [], "a": {}}]);
    for level in 0..40 {
        deep = serde_json::json!({ "level": level, "inner": deep, "list": [0.1, -2.5e-300] });
    }
    assert_same(&deep);
}

/// What toml refuses is refused: integers too large, non-string keys,
/// unit values; a `None` at the top level.
#[test]
fn what_toml_refuses() {
    assert!(ResultsJson::of(&u64::MAX).is_err());
    assert!(ResultsJson::of(&BTreeMap::from([(1, 2)])).is_err());
    assert!(ResultsJson::of(&vec![()]).is_err());
    assert!(ResultsJson::of(&None::<i32>).is_err());
    assert!(toml::Value::try_from(u64::MAX).is_err());
    assert!(toml::Value::try_from(BTreeMap::from([(1, 2)])).is_err());
}

/// The picked top-level entries are the values' own text.
#[test]
fn picked_entries() {
    let (json, picked) = ResultsJson::with_picked(&outer(), &["text", "alpha", "nope"]).unwrap();
    let whole: serde_json::Value = serde_json::from_str(&json.text()).unwrap();
    assert_eq!(picked.len(), 2);
    for (key, text) in picked {
        let value: serde_json::Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(value, whole[&key], "{key}");
    }
}
