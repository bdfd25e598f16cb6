//! `losslab objective`: a ready XGBoost or LightGBM custom objective in
//! Python (NumPy) that computes exactly what `eval --wrt score` computes:
//! the same link, the same stable forms, the same Hessian surrogate.

use anyhow::{bail, Result};

use super::eval_score::hessian_mode;
use crate::loss::{HessianMode, Link, Loss, ParamValue, Params};

#[derive(Debug, clap::Args)]
pub struct ObjectiveArgs {
    /// Loss name or alias (see `losslab list`).
    #[arg(long)]
    pub loss: String,
    /// A loss parameter, KEY=VALUE (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// The booster the function is written for.
    #[arg(long = "for", value_enum)]
    pub target: Booster,
    /// The Hessian handed to the booster: exact, constant, floor or pseudo_huber.
    #[arg(long, default_value = "exact")]
    pub hessian: String,
    /// The ε of --hessian floor.
    #[arg(long, default_value_t = 1e-6)]
    pub hessian_floor: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Booster {
    Xgboost,
    Lightgbm,
}

pub fn run(args: &ObjectiveArgs) -> Result<()> {
    let mut params = Params::new();
    for pair in &args.params {
        let Some((k, v)) = pair.split_once('=') else {
            bail!("--param {pair}: expected KEY=VALUE");
        };
        params.insert(k.trim().to_string(), ParamValue::parse_text(v));
    }
    let loss = Loss::new(&args.loss, &params).map_err(|e| anyhow::anyhow!("--loss: {e}"))?;
    let mode = hessian_mode(&args.hessian, args.hessian_floor)?;
    print!("{}", source(&loss, mode, args.target)?);
    Ok(())
}

fn number(params: &Params, key: &str, default: f64) -> f64 {
    match params.get(key) {
        Some(ParamValue::Number(x)) => *x,
        _ => default,
    }
}

/// The body of `gradient_hessian(y, s)` for one loss: sets `g`, `h` (the
/// true Hessian) and, for the identity link, `a = s - y`.
fn body(loss: &Loss) -> Result<String> {
    let p = loss.params();
    if p.contains_key("convention") {
        bail!("--param convention: objectives are written for the exact loss (conventions only change clipped probabilities, which a score never reaches)");
    }
    let flag = |k: &str| matches!(p.get(k), Some(ParamValue::Bool(true)));
    Ok(match loss.name() {
        "mse" => "    a = s - y\n    g = 2.0 * a\n    h = np.full_like(a, 2.0)\n".to_string(),
        "mae" => "    a = s - y\n    g = np.sign(a)\n    h = np.zeros_like(a)\n".to_string(),
        "huber" => {
            let d = number(&p, "delta", 1.0);
            format!("    a = s - y\n    delta = {d:?}\n    inside = np.abs(a) <= delta\n    g = np.where(inside, a, delta * np.sign(a))\n    h = np.where(inside, 1.0, 0.0)\n")
        }
        "smooth_l1" => {
            let b = number(&p, "beta", 1.0);
            format!("    a = s - y\n    beta = {b:?}\n    inside = np.abs(a) < beta\n    g = np.where(inside, a / beta, np.sign(a))\n    h = np.where(inside, 1.0 / beta, 0.0)\n")
        }
        "pseudo_huber" => {
            let d = number(&p, "delta", 1.0);
            format!("    a = s - y\n    r = np.hypot(1.0, a / {d:?})\n    g = a / r\n    c = 1.0 / r\n    h = c * c * c\n")
        }
        "log_cosh" => "    a = s - y\n    g = np.tanh(a)\n    e = np.exp(-2.0 * np.abs(a))\n    h = 4.0 * e / ((1.0 + e) * (1.0 + e))\n".to_string(),
        "quantile" => {
            let tau = number(&p, "tau", 0.5);
            format!("    a = s - y\n    tau = {tau:?}\n    g = np.where(a < 0, -tau, np.where(a > 0, 1.0 - tau, 0.0))\n    h = np.zeros_like(a)\n")
        }
        "poisson" => "    a = s - y\n    e = np.exp(s)\n    g = e - y\n    h = e\n".to_string(),
        "binary_cross_entropy" => {
            let ls = number(&p, "label_smoothing", 0.0);
            let eps = number(&p, "epsilon", 0.0);
            if eps != 0.0 {
                bail!("--param epsilon: a clipped probability has no score form");
            }
            format!("    a = s - y\n    ls = {ls:?}\n    if ls == 0.0:\n        yt, yb = y, 1.0 - y\n    else:\n        yt, yb = y * (1.0 - ls) + 0.5 * ls, (1.0 - y) * (1.0 - ls) + 0.5 * ls\n    # sigma(s) and 1 - sigma(s) without cancellation or overflow\n    e = np.exp(-np.abs(s))\n    q = np.where(s >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n    qb = np.where(s >= 0, e / (1.0 + e), 1.0 / (1.0 + e))\n    g = yb * q - yt * qb\n    h = q * qb\n")
        }
        "hinge" | "squared_hinge" => {
            let squared = loss.name() == "squared_hinge";
            format!("    a = s - y\n    if np.all((y == 0) | (y == 1)):\n        y = 2.0 * y - 1.0\n    m = 1.0 - y * s\n    active = m > 0\n    {}\n",
                if squared {
                    "g = np.where(active, -2.0 * y * m, 0.0)\n    h = np.where(active, 2.0 * y * y, 0.0)"
                } else {
                    "g = np.where(active, -y, 0.0)\n    h = np.zeros_like(s)"
                })
        }
        "sparse_categorical_cross_entropy" | "categorical_cross_entropy" => {
            if flag("class_weights") || !matches!(p.get("class_weights"), None | Some(ParamValue::None)) {
                bail!("--param class_weights: not offered in objectives");
            }
            let ls = number(&p, "label_smoothing", 0.0);
            let one_hot = if loss.sparse_labels() {
                "    labels = y.astype(np.int64).reshape(-1)\n    t = np.zeros_like(s)\n    t[np.arange(s.shape[0]), labels] = 1.0\n"
            } else {
                "    t = np.asarray(y, dtype=np.float64).reshape(s.shape)\n"
            };
            format!("{one_hot}    n = s.shape[1]\n    t = t * (1.0 - {ls:?}) + {ls:?} / n\n    mass = t.sum(axis=1, keepdims=True)\n    z = s - s.max(axis=1, keepdims=True)\n    e = np.exp(z)\n    total = e.sum(axis=1, keepdims=True)\n    q = e / total\n    # 1 - q as the other classes' mass: no cancellation when q is near 1\n    rest = np.stack([np.delete(e, j, axis=1).sum(axis=1) for j in range(n)], axis=1) / total\n    g = (mass - t) * q - t * rest\n    h = mass * q * rest\n    a = None\n")
        }
        other => bail!("--loss {other}: no objective is offered (elementwise losses with a score link and the categorical cross-entropies)"),
    })
}

fn surrogate(mode: HessianMode, delta: f64) -> String {
    match mode {
        HessianMode::Exact => String::new(),
        HessianMode::Constant => "    h = np.ones_like(h)\n".to_string(),
        HessianMode::Floor(eps) => {
            format!("    h = np.where(np.isnan(h), {eps:?}, np.maximum(h, {eps:?}))\n")
        }
        HessianMode::PseudoHuber => {
            format!("    h = (1.0 + (a / {delta:?}) ** 2) ** -1.5\n")
        }
    }
}

/// The whole Python source.
pub fn source(loss: &Loss, mode: HessianMode, booster: Booster) -> Result<String> {
    let link = loss
        .score_link()
        .map_err(|e| anyhow::anyhow!("--loss: {e}"))?;
    if mode == HessianMode::PseudoHuber && link != Link::Identity {
        bail!("--hessian pseudo_huber: a surrogate for regression losses (identity link)");
    }
    let body = body(loss)?;
    let delta = loss.huber_delta().unwrap_or(1.0);
    let multiclass = link == Link::Softmax;
    let wrapper = match (booster, multiclass) {
        (Booster::Xgboost, _) => "def objective(predt, dtrain):\n    \"\"\"XGBoost custom objective: xgb.train(params, dtrain, obj=objective).\"\"\"\n    y = dtrain.get_label()\n    g, h = gradient_hessian(y, predt)\n    return g.reshape(predt.shape), h.reshape(predt.shape)\n",
        (Booster::Lightgbm, false) => "def objective(preds, train_data):\n    \"\"\"LightGBM custom objective: params['objective'] = objective.\"\"\"\n    y = train_data.get_label()\n    return gradient_hessian(y, preds)\n",
        (Booster::Lightgbm, true) => "def objective(preds, train_data):\n    \"\"\"LightGBM custom objective: params['objective'] = objective (preds of shape (n, classes)).\"\"\"\n    y = train_data.get_label()\n    g, h = gradient_hessian(y, preds)\n    return g, h\n",
    };
    let shape = if multiclass {
        "    s = np.asarray(s, dtype=np.float64)\n    s = s.reshape(s.shape[0], -1)\n"
    } else {
        "    s = np.asarray(s, dtype=np.float64).reshape(-1)\n"
    };
    Ok(format!(
        "# Generated by losslab objective --loss {name}: the gradient and Hessian of\n\
         # {display} with respect to the raw score s ({link} link), exactly as\n\
         # `losslab eval --wrt score --hessian {mode}` computes them.\n\
         # Parameters: {params:?}\n\
         import numpy as np\n\n\n\
         def gradient_hessian(y, s):\n\
         \x20   \"\"\"Per-sample gradient and Hessian of the loss with respect to the score.\"\"\"\n\
         \x20   y = np.asarray(y, dtype=np.float64)\n\
         {shape}{body}{surrogate}\
         \x20   return g, h\n\n\n\
         {wrapper}",
        name = loss.name(),
        display = loss.display_name(),
        link = link.as_str(),
        mode = mode.name(),
        params = loss.params(),
        surrogate = surrogate(mode, delta),
    ))
}
