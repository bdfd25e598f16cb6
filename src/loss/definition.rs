//! The definition of a loss: everything losslab knows about one loss, in one
//! value that lives in the loss's family file next to its kernels.
//!
//! A [`Definition`] names the loss (canonical name, aliases, display name),
//! lists its parameters with defaults, says how they are checked and which
//! kernel they build ([`Build`]), and carries its formula (plain text, LaTeX
//! and the left-hand side), its fixed colour and the regions the property
//! tests sample it on. The catalogue (`catalogue.rs`) is the list of these
//! definitions and nothing else.
//!
//! Elementwise and row-wise losses are different types ([`Build`] and
//! [`Kernel`] have one variant each), so every dispatch is an exhaustive
//! `match` over two arms. A family file implements [`ElementwiseKernel`] or
//! [`RowKernel`] for its parameter struct.
//!
//! # Slice kernels
//! [`ElementwiseKernel::chunk`] evaluates a whole chunk of pairs. Its default
//! body hands the kernel's `point`, `admits` and label convention as
//! closures to the generic loops of `slices`; a default method is compiled
//! once per implementing type, so every loss gets its own tight loop with its
//! arithmetic inlined, and no family file has to write a loop. A family may
//! still override `chunk` where a form of its own pays.

use std::fmt::Debug;
use std::sync::Arc;

use serde::Serialize;

use super::convention::choice::{choose, finish_params, Convention, Dtype};
use super::domain::Outside;
use super::params::{ParamSpec, Reader};
use super::row_slices::RowChunk;
use super::sampling::Sampling;
use super::slices::{self, ChunkOut, ChunkTask, Closures, LoopKind};
use super::validate::RowsRef;
use super::{LossError, ParamValue, Params, Point, Shape};

/// The Okabe–Ito colours (without yellow, which vanishes on a projector):
/// one fixed colour per loss, the same in every figure. The RGB values live
/// with the drawing code; the core only names the colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hue {
    Blue,
    Vermillion,
    BluishGreen,
    ReddishPurple,
    Orange,
    SkyBlue,
    Black,
}

/// The left-hand side of a loss's formula, per sample: `ℓ_MAE` in text,
/// `\ell_{\mathrm{MAE}}` in LaTeX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lhs {
    pub text: &'static str,
    pub latex: &'static str,
}

/// Builds a loss's kernel from its checked parameters.
pub(crate) type BuildElementwise =
    fn(&mut Reader<'_>) -> Result<Arc<dyn ElementwiseKernel>, LossError>;
/// Builds a row loss's kernel from its checked parameters.
pub(crate) type BuildRows = fn(&mut Reader<'_>) -> Result<Arc<dyn RowKernel>, LossError>;

/// How a loss turns parameters into a kernel, and whether it compares
/// element by element or row by row.
#[derive(Clone, Copy)]
pub(crate) enum Build {
    Elementwise(BuildElementwise),
    Rows(BuildRows),
}

/// Everything about one loss.
pub(crate) struct Definition {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub family: &'static str,
    /// Short name for legends and table headers (`MAE`, `binary cross-entropy`).
    pub display_name: &'static str,
    pub params: &'static [ParamSpec],
    /// Plain-text formula for the terminal.
    pub formula: &'static str,
    /// LaTeX formula (right-hand side) for reports.
    pub latex: &'static str,
    pub lhs: Lhs,
    pub hue: Hue,
    /// Where the property tests draw inputs, one entry per parameter set.
    pub sampling: &'static [Sampling],
    pub build: Build,
    /// How libraries compute this loss (`convention = keras`...); empty when
    /// only the mathematics is offered.
    pub conventions: &'static [Conventional],
}

/// A loss's kernel with its parameters bound.
#[derive(Debug, Clone)]
pub(crate) enum Kernel {
    Elementwise(Arc<dyn ElementwiseKernel>),
    Rows(Arc<dyn RowKernel>),
}

/// One chunk of `kernel` with its own value and derivatives (`point` and
/// `value`, the numbers of the kernel's methods), and the kernel's domain,
/// labels and clips: for a family whose parameters pick one of several
/// forms, picked once per chunk instead of once per element.
#[inline(always)]
pub(crate) fn chunk_with<K, P, V>(kernel: &K, point: P, value: V, task: ChunkTask<'_>) -> ChunkOut
where
    K: ElementwiseKernel + ?Sized,
    P: Fn(f64, f64) -> Point,
    V: Fn(f64, f64) -> f64,
{
    chunk_with_closures::<_, _, _, _, false>(kernel, point, value, |_, _, _, _, _| {}, task)
}

/// [`chunk_with`] for a kernel that also computes a block of pairs at once
/// (`values(target, prediction, values, gradient, hessian)`, the numbers of
/// `point`, the derivatives only where their slices are not empty; see
/// `slices::Closures::values`), used in every mode. The closure should be
/// `#[inline(always)]`: a function item or a closure without the hint may
/// be compiled once, apart from the wide paths, and never vectorised there.
#[inline(always)]
pub(crate) fn chunk_with_blocks<K, P, V, B>(
    kernel: &K,
    point: P,
    value: V,
    values: B,
    task: ChunkTask<'_>,
) -> ChunkOut
where
    K: ElementwiseKernel + ?Sized,
    P: Fn(f64, f64) -> Point,
    V: Fn(f64, f64) -> f64,
    B: Fn(&[f64], &[f64], &mut [f64], &mut [f64], &mut [f64]),
{
    chunk_with_closures::<_, _, _, _, true>(kernel, point, value, values, task)
}

/// [`chunk_with_blocks`], with or without block values (`BLOCKS`): a
/// constant, not a run-time option, since the loops are compiled apart from
/// their callers (see `slices::on_path`) and a flag known only at run time
/// keeps them from being vectorised.
#[inline(always)]
fn chunk_with_closures<K, P, V, B, const BLOCKS: bool>(
    kernel: &K,
    point: P,
    value: V,
    values: B,
    mut task: ChunkTask<'_>,
) -> ChunkOut
where
    K: ElementwiseKernel + ?Sized,
    P: Fn(f64, f64) -> Point,
    V: Fn(f64, f64) -> f64,
    B: Fn(&[f64], &[f64], &mut [f64], &mut [f64], &mut [f64]),
{
    // Block forms store their derivatives as they compute them: copying
    // them out with non-temporal stores measured 12–22 % slower for
    // log-cosh's and BCE's value and gradient (2^25 pairs, one thread),
    // where it is 1.05–1.5× faster for the plain loops.
    task.stream_stores &= !BLOCKS;
    // Built inside the closure, so that the kernel's constants are known
    // in the loop each path compiles (see `slices::on_path`).
    let kind = if BLOCKS {
        LoopKind::Blocks
    } else {
        // Derivatives that go out with non-temporal stores are stored
        // to a block on the stack first, like the values of a summing loop.
        let derivatives = !task.gradient.is_empty() && !task.stream_stores;
        LoopKind::Plain {
            stores: !task.per_sample.is_empty() || derivatives,
        }
    };
    slices::on_path(
        kind,
        #[inline(always)]
        move || {
            let block_values = BLOCKS && kernel.labels() == Labels::AsGiven;
            let closures = Closures {
                point,
                value,
                values,
                block_values,
                admits: |y, yhat| kernel.admits(y, yhat),
                saturated: |y, yhat| kernel.saturated(y, yhat).is_some(),
                signed: kernel.labels() == Labels::Signed,
                relabels: kernel.labels() != Labels::AsGiven,
            };
            slices::chunk(closures, task)
        },
    )
}

/// How the targets of an elementwise loss are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Labels {
    /// Numbers as given.
    AsGiven,
    /// Labels ±1; a whole target array may use {0, 1} instead (mapped to
    /// −1/1), but one point on its own must be ±1.
    Signed,
    /// Keras' rule: if every label of the target is 0 or 1 they become
    /// −1/1, otherwise they are used as given (never an error).
    ConvertIfZeroOne,
    /// scikit-learn's `LabelBinarizer(neg_label=-1)` over the whole target:
    /// of at most two distinct whole-number labels the smaller becomes −1
    /// and the larger 1, a single one −1 (see `convention::margin::binarize`);
    /// one point on its own must be ±1.
    Binarize,
}

/// The value and derivatives of an elementwise loss at one pair.
pub(crate) trait ElementwiseKernel: Debug + Send + Sync {
    /// The domain beyond finiteness: the first rule the pair breaks.
    fn domain(&self, _target: f64, _prediction: f64) -> Result<(), Outside> {
        Ok(())
    }

    /// [`ElementwiseKernel::domain`] as a yes or no, for the branch-free
    /// check of a whole chunk.
    #[inline]
    fn admits(&self, target: f64, prediction: f64) -> bool {
        self.domain(target, prediction).is_ok()
    }

    /// Value, gradient and second derivative at a pair inside the domain.
    fn point(&self, target: f64, prediction: f64) -> Point;

    /// The value alone: `point(..).value`, the same number. A family
    /// overrides it where the derivatives cost library calls that the value
    /// does not need (the compiler cannot drop a call to `tanh`).
    #[inline]
    fn value(&self, target: f64, prediction: f64) -> f64 {
        self.point(target, prediction).value
    }

    /// One chunk of a slice evaluation (see the module documentation): the
    /// chunk's compensated sum of values, the wanted derivatives written to
    /// the task's arrays, and whether every pair was inside the domain.
    fn chunk(&self, task: ChunkTask<'_>) -> ChunkOut {
        chunk_with(
            self,
            #[inline(always)]
            |y, yhat| self.point(y, yhat),
            #[inline(always)]
            |y, yhat| self.value(y, yhat),
            task,
        )
    }

    fn labels(&self) -> Labels {
        Labels::AsGiven
    }

    /// The prediction is a probability in [0, 1] (not a logit or a real number).
    fn takes_probability(&self) -> bool {
        false
    }

    /// δ of a Huber loss (its closed-form best constant uses it).
    fn huber_delta(&self) -> Option<f64> {
        None
    }

    /// Where a convention's clip flattens the loss at this pair (its
    /// gradient is 0 there): the region, for a warning.
    fn saturated(&self, _target: f64, _prediction: f64) -> Option<String> {
        None
    }
}

/// One row of a row loss: where it is, its target and prediction, and the
/// gradient to fill (zeroed; usable as scratch).
pub(crate) struct Row<'d, 'g> {
    pub targets: RowsRef<'d>,
    pub predictions: RowsRef<'d>,
    pub index: usize,
    pub target: &'d [f64],
    pub prediction: &'d [f64],
    pub gradient: &'g mut [f64],
}

/// What a row kernel returns for one row.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowOut {
    pub value: f64,
    /// Class factor for `weighted_mean` (1 unless class weights are given).
    pub factor: f64,
    /// False for a sample left out (sparse label equal to `ignore_index`).
    pub counted: bool,
    pub warnings: Vec<String>,
}

impl RowOut {
    pub(crate) fn new(value: f64) -> Self {
        RowOut {
            value,
            factor: 1.0,
            counted: true,
            warnings: Vec::new(),
        }
    }
}

/// The value and gradient of a row loss at one row.
pub(crate) trait RowKernel: Debug + Send + Sync {
    /// Targets are class indices, one per row, rather than rows.
    fn sparse_labels(&self) -> bool {
        false
    }

    /// Checks against the data's number of classes (class weights).
    fn check_classes(&self, _loss: &str, _classes: usize) -> Result<(), LossError> {
        Ok(())
    }

    /// Check the row's domain, write ∂loss/∂ŷ into `row.gradient` and return the value.
    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError>;

    /// A chunk of whole rows at once (see `row_slices`): each row's value
    /// and (if wanted) gradient, the numbers of [`RowKernel::row`] bit for
    /// bit, for a chunk where every row is valid, is counted, has a class
    /// factor of 1 and earns no warning. Returns false for any other chunk
    /// (and by default), which the core then runs row by row, overwriting
    /// whatever the chunk kernel wrote before it declined.
    fn chunk(&self, _task: RowChunk<'_>) -> bool {
        false
    }
}

impl Definition {
    pub(crate) fn shape(&self) -> Shape {
        match self.build {
            Build::Elementwise(_) => Shape::Elementwise,
            Build::Rows(_) => Shape::Rows,
        }
    }
}

/// Builds a convention's kernel (see `convention`) from checked parameters.
pub(crate) type BuildConventionElementwise =
    fn(&mut Reader<'_>, Dtype) -> Result<Arc<dyn ElementwiseKernel>, LossError>;
pub(crate) type BuildConventionRows =
    fn(&mut Reader<'_>, Dtype) -> Result<Arc<dyn RowKernel>, LossError>;

/// How one library computes one loss: the kernel builder for that convention.
pub(crate) struct Conventional {
    pub convention: Convention,
    pub build: ConventionBuild,
    /// Options of the library's function that the exact loss does not take.
    pub extra: &'static [ParamSpec],
}

#[derive(Clone, Copy)]
pub(crate) enum ConventionBuild {
    Elementwise(BuildConventionElementwise),
    Rows(BuildConventionRows),
}

/// Validate `given` against the loss's parameter list and build its kernel;
/// returns the kernel and every parameter with defaults filled in.
pub(crate) fn instantiate(
    def: &'static Definition,
    given: &Params,
) -> Result<(Kernel, Params), LossError> {
    // `convention` and `dtype` are decided first: a convention builds its
    // own kernel, before (and instead of) the exact one.
    let chosen = choose(
        def.name,
        def.conventions.iter().map(|c| c.convention),
        given.get("convention"),
        given.get("dtype"),
    )?
    .and_then(|(convention, dtype)| {
        def.conventions
            .iter()
            .find(|c| c.convention == convention)
            .map(|c| (c, dtype))
    });
    let given: Params = given
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "convention" | "dtype"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let given = &given;
    // A convention may take options of its library the exact loss lacks
    // (Keras' label smoothing of the categorical focal loss).
    let extra: &[ParamSpec] = chosen.map_or(&[], |(c, _)| c.extra);
    let specs = || def.params.iter().chain(extra);
    if let Some(unknown) = given
        .keys()
        .find(|k| !specs().any(|p| p.name == k.as_str()))
    {
        let known: Vec<&str> = specs().map(|p| p.name).collect();
        return Err(LossError::UnknownParam {
            loss: def.name.to_string(),
            param: unknown.clone(),
            known: if known.is_empty() {
                "no parameters".to_string()
            } else {
                known.join(", ")
            },
        });
    }
    // Defaults first, then what was given; `None` given for a parameter
    // means "unset", i.e. the default.
    let mut values: Params = specs()
        .map(|p| (p.name.to_string(), p.default.value()))
        .collect();
    for (k, v) in given {
        if *v != ParamValue::None {
            values.insert(k.clone(), v.clone());
        }
    }
    let mut reader = Reader::new(def.name, &values);
    if let Some((conventional, dtype)) = chosen {
        let kernel = match conventional.build {
            ConventionBuild::Elementwise(build) => Kernel::Elementwise(build(&mut reader, dtype)?),
            ConventionBuild::Rows(build) => Kernel::Rows(build(&mut reader, dtype)?),
        };
        let specs = def.params.iter().chain(extra);
        let params = finish_params(
            def.name,
            specs,
            conventional.convention,
            dtype,
            given,
            reader.finish(),
        )?;
        return Ok((kernel, params));
    }
    let kernel = match def.build {
        Build::Elementwise(build) => Kernel::Elementwise(build(&mut reader)?),
        Build::Rows(build) => Kernel::Rows(build(&mut reader)?),
    };
    Ok((kernel, reader.finish()))
}
