//! The checked model: what a scenario file means once loaded. Every id is resolved to an
//! index and every expression compiled, so the engine never looks anything up by name.
//!
//! Index conventions, used everywhere in rungs:
//! - parameters: [`Model::params`], in file order;
//! - actors: [`Model::actors`], in file order;
//! - state variables: [`Model::vars`], grouped by actor in file order;
//! - nodes: [`Model::nodes`], every step and every branch, in file order (a step, then its
//!   branches); `fired(id)`/`count(id)`, `after`, `any_of` and all outputs use node indices;
//! - steps: [`Model::steps`], in file order; each step knows its node;
//! - outcomes: [`Model::outcomes`], `horizon` first, then the `ends` labels in order of first
//!   appearance in the file.

use crate::diag::Span;
use crate::dist::Distribution;
use crate::dist::copula::{Copula, Pair};
use crate::expr::Expr;
use crate::scenario::CheckedSpec;

/// Index into [`Model::params`].
pub type ParamId = usize;
/// Index into [`Model::actors`].
pub type ActorId = usize;
/// Index into [`Model::vars`].
pub type VarId = usize;
/// Index into [`Model::nodes`].
pub type NodeId = usize;
/// Index into [`Model::steps`].
pub type StepId = usize;
/// Index into [`Model::outcomes`]; 0 is `horizon`.
pub type OutcomeId = usize;

/// The outcome of a run that reaches the horizon.
pub const HORIZON_OUTCOME: &str = "horizon";

/// A loaded, checked, compiled scenario.
#[derive(Clone, Debug)]
pub struct Model {
    /// `[scenario] name`.
    pub name: String,
    /// `[scenario] description`.
    pub description: Option<String>,
    /// `[scenario] source`.
    pub source: Option<String>,
    /// `[scenario] time_unit` (a label; default "day").
    pub time_unit: String,
    /// A run covers `[0, horizon]`.
    pub horizon: f64,
    /// Tick length for flows and for guards that read flowing state or `t`.
    pub resolution: f64,
    /// Parameters, in file order.
    pub params: Vec<Param>,
    /// Parameter indices in the order they must be evaluated (dependencies first).
    pub param_order: Vec<ParamId>,
    /// Actors, in file order.
    pub actors: Vec<Actor>,
    /// State variables of all actors.
    pub vars: Vec<StateVar>,
    /// Steps and branches.
    pub nodes: Vec<Node>,
    /// Steps, in file order.
    pub steps: Vec<Step>,
    /// Flows, in file order.
    pub flows: Vec<Flow>,
    /// Outcome labels; `outcomes[0]` is `horizon`.
    pub outcomes: Vec<String>,
    /// The `[sweep]` table, if the file has one, checked at load.
    pub sweep: Option<CheckedSpec>,
    /// `[[checks]]`, in file order (see [`crate::check`]).
    pub checks: Vec<crate::check::Check>,
    /// `[[correlations]]`, in file order, checked (drawn parameters with constant
    /// arguments, a valid matrix).
    pub correlations: Vec<Correlation>,
}

/// A `[[correlations]]` entry: a Spearman rank correlation between two drawn parameters.
#[derive(Clone, Debug)]
pub struct Correlation {
    /// The two parameters.
    pub between: [ParamId; 2],
    /// The rank correlation, in [-1, 1].
    pub rank: f64,
    /// Where the entry is written.
    pub span: Span,
}

/// An uncertain (or fixed, or derived) input, sampled once per run.
#[derive(Clone, Debug)]
pub struct Param {
    /// Its id.
    pub id: String,
    /// How its value is obtained.
    pub value: ParamValue,
    /// `unit`, if given.
    pub unit: Option<String>,
    /// `description`, if given.
    pub description: Option<String>,
    /// Where it is defined in the file.
    pub span: Span,
}

/// How a parameter gets its value in a run.
#[derive(Clone, Debug)]
pub enum ParamValue {
    /// A number (also what `--set` and sweep points make of a parameter).
    Fixed(f64),
    /// An expression over other parameters.
    Derived(Expr),
    /// A draw from a distribution whose arguments are expressions over other parameters.
    Drawn(Distribution),
}

/// An actor.
#[derive(Clone, Debug)]
pub struct Actor {
    /// Its id (the `ru` of `[actors.ru]`).
    pub id: String,
    /// `name` (default: the id).
    pub name: String,
    /// `bloc`, if given.
    pub bloc: Option<String>,
    /// Its state variables, as indices into [`Model::vars`].
    pub vars: Vec<VarId>,
}

/// One numeric state variable of an actor.
#[derive(Clone, Debug)]
pub struct StateVar {
    /// Owning actor.
    pub actor: ActorId,
    /// Variable name (the `casualties` of `ru.casualties`).
    pub name: String,
    /// Initial value: an expression over parameters.
    pub init: Expr,
}

/// Whether a node is a step or one of a step's branches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A `[[steps]]` entry.
    Step,
    /// A `[[steps.branches]]` entry.
    Branch,
}

impl NodeKind {
    /// `step` or `branch`, as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Step => "step",
            NodeKind::Branch => "branch",
        }
    }
}

/// A step or a branch: anything that can happen and be named in `after`, `any_of`,
/// `fired()` and `count()`.
#[derive(Clone, Debug)]
pub struct Node {
    /// Its id.
    pub id: String,
    /// Its label (default: the id).
    pub label: String,
    /// Step or branch.
    pub kind: NodeKind,
    /// The step it is, or belongs to.
    pub step: StepId,
    /// Rung on the ladder (a branch defaults to its step's).
    pub rung: u32,
    /// Acting actor (a branch inherits its step's).
    pub actor: Option<ActorId>,
}

/// An escalation step.
#[derive(Clone, Debug)]
pub struct Step {
    /// Its node.
    pub node: NodeId,
    /// Nodes that must all have happened.
    pub after: Vec<NodeId>,
    /// Nodes of which at least one must have happened (empty: no condition).
    pub any_of: Vec<NodeId>,
    /// The `when` guard, if any.
    pub when: Option<Expr>,
    /// How it happens once its guard holds.
    pub trigger: Trigger,
    /// Effects, in order.
    pub effects: Vec<Effect>,
    /// Branches (empty: none), in file order.
    pub branches: Vec<Branch>,
    /// Steps it cancels when it happens.
    pub excludes: Vec<StepId>,
    /// Outcome it ends the run with, if any.
    pub ends: Option<OutcomeId>,
    /// How many times it may happen in one run (>= 1).
    pub repeat: u32,
}

/// How a step happens once enabled.
#[derive(Clone, Debug)]
pub enum Trigger {
    /// Decided once at enablement with `probability`, then happens after `delay`.
    Chance {
        /// In [0, 1].
        probability: Expr,
        /// Time from enablement to happening.
        delay: Delay,
    },
    /// Happens at the first arrival of a Poisson process of this rate while the guard holds.
    Hazard {
        /// Rate per time unit, >= 0.
        rate: Expr,
    },
}

/// A step's delay.
#[derive(Clone, Debug)]
pub enum Delay {
    /// A number or an expression, evaluated at enablement.
    Value(Expr),
    /// A distribution, drawn at enablement.
    Drawn(Distribution),
}

/// Assignment operator of an effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`
    Set,
    /// `+=`
    Add,
    /// `-=`
    Sub,
    /// `*=`
    Mul,
    /// `/=`
    Div,
}

impl AssignOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignOp::Set => "=",
            AssignOp::Add => "+=",
            AssignOp::Sub => "-=",
            AssignOp::Mul => "*=",
            AssignOp::Div => "/=",
        }
    }

    /// The new value of a variable holding `old` after this operation with `value`.
    #[inline]
    pub fn apply(self, old: f64, value: f64) -> f64 {
        match self {
            AssignOp::Set => value,
            AssignOp::Add => old + value,
            AssignOp::Sub => old - value,
            AssignOp::Mul => old * value,
            AssignOp::Div => old / value,
        }
    }
}

/// `"actor.var OP expression"`.
#[derive(Clone, Debug)]
pub struct Effect {
    /// The variable changed.
    pub target: VarId,
    /// How.
    pub op: AssignOp,
    /// By what.
    pub value: Expr,
    /// The effect as written, for traces and errors.
    pub text: String,
}

/// How far from 1 the probabilities of a step's branches may sum (rounding in the
/// analyst's numbers and in evaluated expressions); the loader and the engine both use it.
pub const BRANCH_SUM_TOLERANCE: f64 = 1e-9;

/// A branch's probability.
#[derive(Clone, Debug)]
pub enum BranchProbability {
    /// An expression.
    Value(Expr),
    /// `"rest"`: one minus the others.
    Rest,
}

/// One weighted alternative of a step.
#[derive(Clone, Debug)]
pub struct Branch {
    /// Its node.
    pub node: NodeId,
    /// Its probability.
    pub probability: BranchProbability,
    /// Effects, applied after its step's.
    pub effects: Vec<Effect>,
    /// Outcome it ends the run with, if any.
    pub ends: Option<OutcomeId>,
}

/// Continuous change of one state variable.
#[derive(Clone, Debug)]
pub struct Flow {
    /// The variable that flows.
    pub target: VarId,
    /// Rate per time unit.
    pub rate: Expr,
    /// Runs while this holds (None: always).
    pub while_: Option<Expr>,
}

impl Model {
    /// The message for an option (`--set`, `--vary`) naming a parameter the scenario does not
    /// have: "no parameter `x`" with a did-you-mean, or the list of parameters.
    pub fn unknown_param(&self, name: &str, option: &str) -> String {
        let ids: Vec<&str> = self.params.iter().map(|p| p.id.as_str()).collect();
        let hint = match crate::diag::closest(name, &ids) {
            Some(c) => format!("did you mean `{c}`?"),
            None if ids.is_empty() => "the scenario has no parameters".to_string(),
            None => format!("the parameters are: {}", ids.join(", ")),
        };
        format!("{option}: the scenario has no parameter `{name}`; {hint}")
    }

    /// Index of the parameter with this id.
    pub fn param_index(&self, id: &str) -> Option<ParamId> {
        self.params.iter().position(|p| p.id == id)
    }

    /// Index of the node (step or branch) with this id.
    pub fn node_index(&self, id: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// `actor.var` of a state variable.
    pub fn var_name(&self, var: VarId) -> String {
        let v = &self.vars[var];
        format!("{}.{}", self.actors[v.actor].id, v.name)
    }

    /// The highest rung of any node (0 for an empty ladder).
    pub fn max_rung(&self) -> u32 {
        self.nodes.iter().map(|n| n.rung).max().unwrap_or(0)
    }

    /// Replaces a parameter by a fixed value (`--set`, sweep points). A correlated
    /// parameter drops out of the copula (see [`Model::copula`]).
    pub fn set_param(&mut self, id: ParamId, value: f64) {
        self.params[id].value = ParamValue::Fixed(value);
    }

    /// The Gaussian copula of the correlations among the parameters that are drawn now:
    /// one that `--set` or a sweep point has fixed drops out, and the others keep their
    /// marginals and their correlations among themselves (docs/scenario-language.md says
    /// why). A sub-matrix of a valid matrix is valid, so this needs no new check.
    pub fn copula(&self) -> Copula {
        let pairs: Vec<Pair> = self
            .correlations
            .iter()
            .map(|c| Pair {
                a: c.between[0],
                b: c.between[1],
                rank: c.rank,
            })
            .collect();
        Copula::new(self.params.len(), &pairs, |p| match &self.params[p].value {
            ParamValue::Drawn(d) => d.marginal(),
            _ => None,
        })
    }
}
