//! The domain of every elementwise loss: `point` and `evaluate` agree on
//! which pairs are in it, with the same value and the same typed error.

use losslab::loss::{
    catalogue, Argument, Data, DomainError, Loss, LossError, ParamValue, Params, Place, Reduction,
    Shape,
};
use proptest::prelude::*;

fn loss(name: &str, params: &[(&str, ParamValue)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Loss::new(name, &params).expect("valid loss")
}

fn yes() -> ParamValue {
    ParamValue::Bool(true)
}

/// Every elementwise loss at its defaults and with each sampling case's
/// parameters (which move the domain: logits, log-rates, epsilon).
fn elementwise_losses() -> Vec<Loss> {
    let mut all = Vec::new();
    for info in catalogue()
        .into_iter()
        .filter(|i| i.shape == Shape::Elementwise)
    {
        all.push(loss(info.name, &[]));
        for s in info.sampling {
            let params: Params = s
                .params
                .iter()
                .map(|(k, v)| (k.to_string(), v.value()))
                .collect();
            all.push(Loss::new(info.name, &params).expect("sampling parameters are valid"));
        }
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// `point` has a value exactly where `evaluate` accepts the pair as one
    /// element (signed labels: ±1 only, the {0, 1} convention being a
    /// property of a whole target), and then the same value and derivatives;
    /// outside, both give the same typed error.
    #[test]
    fn point_is_defined_exactly_on_the_domain(
        y in prop::sample::select(vec![-2.0, -1.0, -0.5, 0.0, 0.25, 1.0, 1.5, 3.0, f64::NAN, f64::INFINITY]),
        yhat in prop::sample::select(vec![-2.0, -1.0, -0.5, 0.0, 0.25, 1.0, 1.5, 3.0, f64::NAN, f64::NEG_INFINITY]),
    ) {
        for l in elementwise_losses() {
            let point = l.point(y, yhat);
            let hinge_zero = l.signed_labels() && y == 0.0;
            let eval = l.evaluate(&Data::Flat(vec![y]), &Data::Flat(vec![yhat]), None, Reduction::Sum);
            match (point, eval) {
                (Ok(p), Ok(e)) => {
                    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
                    let (Data::Flat(g), Some(h)) = (&e.gradient, &e.hessian) else { panic!("flat") };
                    prop_assert!(same(p.value, e.value) && same(p.gradient, g[0]) && same(p.hessian, h[0]),
                        "{} at ({y}, {yhat}): {p:?} vs {e:?}", l.name());
                }
                // Signed labels: evaluate checks the whole target's convention first.
                (Err(_), Err(_)) if l.signed_labels() => {}
                (Err(pe), Err(ee)) => {
                    // Same error, with NaN values compared by bits.
                    let LossError::Domain(ee) = ee else {
                        return Err(TestCaseError::fail(format!("{}: {ee} is not a domain error", l.name())));
                    };
                    prop_assert!(pe.argument == ee.argument && pe.element == ee.element
                        && pe.reason == ee.reason && pe.value.to_bits() == ee.value.to_bits(),
                        "{} at ({y}, {yhat}): {pe} vs {ee}", l.name());
                }
                (Err(_), Ok(_)) if hinge_zero => {}
                (p, e) => prop_assert!(false, "{} at ({y}, {yhat}): point {p:?}, evaluate {e:?}", l.name()),
            }
        }
    }
}

fn outside(
    argument: Argument,
    value: f64,
    reason: &'static str,
) -> Result<losslab::loss::Point, DomainError> {
    Err(DomainError {
        argument,
        element: Place::index(0),
        value,
        reason,
    })
}

/// The QA report's impossible points have no value, and say why; infinite
/// points inside the domain keep their infinity.
#[test]
fn point_outside_the_domain_is_a_typed_error() {
    use Argument::{Prediction, Target};
    let bce = loss("bce", &[]);
    let probability = "probabilities must be in [0, 1]";
    assert_eq!(bce.point(1.0, -0.5), outside(Prediction, -0.5, probability));
    assert_eq!(bce.point(1.0, 1.5), outside(Prediction, 1.5, probability));
    assert_eq!(
        bce.point(1.5, 0.5),
        outside(Target, 1.5, "binary targets must be in [0, 1]")
    );
    assert_eq!(bce.point(1.0, 0.0).unwrap().value, f64::INFINITY);
    assert_eq!(bce.point(0.0, 1.0).unwrap().value, f64::INFINITY);
    let logits = loss("bce", &[("from_logits", yes())]);
    assert!(logits.point(1.0, -5.0).is_ok());
    let poisson = loss("poisson", &[]);
    assert_eq!(poisson.point(1.0, -1.0).unwrap_err().argument, Prediction);
    assert_eq!(
        poisson.point(-1.0, 1.0),
        outside(Target, -1.0, "Poisson targets (counts) must be >= 0")
    );
    assert_eq!(poisson.point(2.0, 0.0).unwrap().value, f64::INFINITY);
    assert!(loss("poisson", &[("log_input", yes())])
        .point(1.0, -1.0)
        .is_ok());
    assert_eq!(
        loss("mape", &[]).point(0.0, 1.0),
        outside(
            Target,
            0.0,
            "mape divides by the target, which must not be 0"
        )
    );
    assert_eq!(
        loss("msle", &[]).point(1.0, -1.0),
        outside(Prediction, -1.0, "msle needs values > -1")
    );
    assert_eq!(
        loss("msle", &[]).point(-1.5, 0.0),
        outside(Target, -1.5, "msle needs values > -1")
    );
    for name in ["hinge", "squared_hinge"] {
        assert_eq!(
            loss(name, &[]).point(0.0, 0.5),
            outside(Target, 0.0, "labels must be −1 or 1")
        );
        assert_eq!(loss(name, &[]).point(0.5, 0.5).unwrap_err().value, 0.5);
        assert!(loss(name, &[]).point(-1.0, 0.5).unwrap().value > 0.0);
    }
    let mse = loss("mse", &[]);
    let nan = mse.point(f64::NAN, 1.0).unwrap_err();
    assert_eq!(
        (nan.argument, nan.reason),
        (Target, "every value must be a finite number")
    );
    assert_eq!(
        mse.point(1.0, f64::INFINITY),
        outside(
            Prediction,
            f64::INFINITY,
            "every value must be a finite number"
        )
    );
    assert!(mse.point(-1e300, 1e300).is_ok());
    assert_eq!(
        loss("cce", &[]).point(1.0, 0.5).unwrap_err().argument,
        Prediction
    );
}

/// `evaluate` reports the same typed error, at the element where it is.
#[test]
fn evaluate_reports_the_element() {
    let err = loss("bce", &[])
        .evaluate(
            &Data::Flat(vec![0.0, 1.0, 1.0]),
            &Data::Flat(vec![0.5, 0.5, 2.0]),
            None,
            Reduction::Mean,
        )
        .unwrap_err();
    assert_eq!(
        err,
        LossError::Domain(DomainError {
            argument: Argument::Prediction,
            element: Place::index(2),
            value: 2.0,
            reason: "probabilities must be in [0, 1]",
        })
    );
    assert_eq!(
        err.to_string(),
        "prediction: index 2 is 2; probabilities must be in [0, 1]"
    );
}
