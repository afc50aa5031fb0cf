//! The names expressions may use, per context: parameter expressions and initial values see
//! parameters only; guards, probabilities, delays, hazards, effects and flows see
//! parameters, `actor.var`, `t`, and the step and branch ids of `fired()` / `count()`.

use std::collections::HashMap;

use crate::diag::closest;
use crate::expr::{Scope, ScopeError, Slot};
use crate::scenario::{Model, NodeKind};

/// What a parameters-only scope is compiling, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParamContext {
    /// A parameter's value or distribution argument.
    Parameter,
    /// A state variable's initial value.
    Initial,
}

impl ParamContext {
    fn what(self) -> &'static str {
        match self {
            ParamContext::Parameter => "a parameter",
            ParamContext::Initial => "an initial state value",
        }
    }
}

/// Parameters only.
pub(crate) struct ParamScope {
    params: Names,
    context: ParamContext,
}

/// Ids in file order (for messages) with a map to their index (for lookups: a scenario may
/// have hundreds of thousands of ids, and a linear search per reference is quadratic).
struct Names {
    ids: Vec<String>,
    index: HashMap<String, usize>,
}

impl Names {
    fn new(ids: Vec<String>) -> Self {
        let mut index = HashMap::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            // The first of a repeated id wins, as a linear search would find it.
            index.entry(id.clone()).or_insert(i);
        }
        Names { ids, index }
    }

    fn get(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    fn strs(&self) -> Vec<&str> {
        self.ids.iter().map(String::as_str).collect()
    }
}

impl ParamScope {
    /// The parameters of `model` (ids must already be known).
    pub(crate) fn new(model: &Model, context: ParamContext) -> Self {
        ParamScope {
            params: Names::new(model.params.iter().map(|p| p.id.clone()).collect()),
            context,
        }
    }
}

/// An unknown-name error with a did-you-mean over `candidates`.
/// `listed` introduces the list of candidates shown when none is close ("the actors are").
fn unknown(message: String, name: &str, candidates: &[&str], listed: &str) -> ScopeError {
    let hint = match closest(name, candidates) {
        Some(c) => Some(format!("did you mean `{c}`?")),
        None if candidates.is_empty() => None,
        None if candidates.len() <= 12 => Some(format!("{listed}: {}", candidates.join(", "))),
        None => None,
    };
    ScopeError { message, hint }
}

impl Scope for ParamScope {
    fn resolve(&self, name: &str) -> Result<Slot, ScopeError> {
        if let Some(i) = self.params.get(name) {
            return Ok(Slot::Param(i as u32));
        }
        let what = self.context.what();
        if name == "t" {
            return Err(ScopeError {
                message: format!("{what} cannot use the time `t`"),
                hint: Some(
                    "parameters and initial values are set once, before the run starts".into(),
                ),
            });
        }
        if name.contains('.') {
            return Err(ScopeError {
                message: format!("{what} cannot use the state variable `{name}`"),
                hint: Some("only parameters can be used here".into()),
            });
        }
        let names: Vec<&str> = self.params.strs();
        Err(unknown(
            format!("there is no parameter `{name}`"),
            name,
            &names,
            "the parameters are",
        ))
    }

    fn resolve_node(&self, id: &str) -> Result<u32, ScopeError> {
        Err(ScopeError {
            message: format!(
                "{} cannot ask whether `{id}` happened",
                self.context.what()
            ),
            hint: Some("fired() and count() can be used in guards, probabilities, delays, hazards, effects and flows".into()),
        })
    }
}

/// Everything: parameters, state, time, nodes.
pub(crate) struct FullScope {
    params: Names,
    /// Actor ids, and per actor its variables as names and var indices.
    actors: Names,
    vars: Vec<(Names, Vec<usize>)>,
    /// Node ids, and their kinds.
    nodes: Names,
    kinds: Vec<NodeKind>,
}

impl FullScope {
    /// The names of `model` (params, actors and vars, nodes must already be known).
    pub(crate) fn new(model: &Model) -> Self {
        FullScope {
            params: Names::new(model.params.iter().map(|p| p.id.clone()).collect()),
            actors: Names::new(model.actors.iter().map(|a| a.id.clone()).collect()),
            vars: model
                .actors
                .iter()
                .map(|a| {
                    (
                        Names::new(a.vars.iter().map(|&v| model.vars[v].name.clone()).collect()),
                        a.vars.clone(),
                    )
                })
                .collect(),
            nodes: Names::new(model.nodes.iter().map(|n| n.id.clone()).collect()),
            kinds: model.nodes.iter().map(|n| n.kind).collect(),
        }
    }

    /// Resolves `actor.var` to a variable index, with a plain-words error.
    pub(crate) fn state_var(&self, name: &str) -> Result<usize, ScopeError> {
        let Some((actor, var)) = name.split_once('.') else {
            return Err(ScopeError {
                message: format!("`{name}` is not a state variable"),
                hint: Some("state variables are written `actor.var`".into()),
            });
        };
        let Some(a) = self.actors.get(actor) else {
            return Err(unknown(
                format!("there is no actor `{actor}`"),
                actor,
                &self.actors.strs(),
                "the actors are",
            ));
        };
        let (names, vars) = &self.vars[a];
        if let Some(v) = names.get(var) {
            return Ok(vars[v]);
        }
        let names = names.strs();
        let mut e = unknown(
            format!("actor `{actor}` has no state variable `{var}`"),
            var,
            &names,
            &format!("the state variables of `{actor}` are"),
        );
        if names.is_empty() {
            e.hint = Some(format!("declare it in the `state` of [actors.{actor}]"));
        }
        Err(e)
    }

    /// Resolves a node id (step or branch), with a plain-words error.
    pub(crate) fn node(&self, id: &str) -> Result<usize, ScopeError> {
        if let Some(i) = self.nodes.get(id) {
            return Ok(i);
        }
        Err(unknown(
            format!("there is no step or branch `{id}`"),
            id,
            &self.nodes.strs(),
            "the steps and branches are",
        ))
    }

    /// Resolves a step id (not a branch), with a plain-words error.
    pub(crate) fn step_node(&self, id: &str) -> Result<usize, ScopeError> {
        match self.nodes.get(id) {
            Some(i) if self.kinds[i] == NodeKind::Step => Ok(i),
            Some(_) => Err(ScopeError {
                message: format!("`{id}` is a branch; only steps can be excluded"),
                hint: Some("name the branch's step, or the steps the branch should cancel".into()),
            }),
            None => {
                let ids: Vec<&str> = self
                    .nodes
                    .ids
                    .iter()
                    .zip(&self.kinds)
                    .filter(|(_, k)| **k == NodeKind::Step)
                    .map(|(n, _)| n.as_str())
                    .collect();
                Err(unknown(
                    format!("there is no step `{id}`"),
                    id,
                    &ids,
                    "the steps are",
                ))
            }
        }
    }
}

impl Scope for FullScope {
    fn resolve(&self, name: &str) -> Result<Slot, ScopeError> {
        if name == "t" {
            return Ok(Slot::Time);
        }
        if name.contains('.') {
            return self.state_var(name).map(|v| Slot::State(v as u32));
        }
        if let Some(i) = self.params.get(name) {
            return Ok(Slot::Param(i as u32));
        }
        if self.actors.get(name).is_some() {
            return Err(ScopeError {
                message: format!("`{name}` is an actor, not a value"),
                hint: Some(format!("use one of its state variables: `{name}.var`")),
            });
        }
        if self.nodes.get(name).is_some() {
            return Err(ScopeError {
                message: format!("`{name}` is a step or branch, not a value"),
                hint: Some(format!("use fired({name}) or count({name})")),
            });
        }
        let mut names: Vec<String> = self.params.ids.clone();
        for (a, (vars, _)) in self.actors.ids.iter().zip(&self.vars) {
            for v in &vars.ids {
                names.push(format!("{a}.{v}"));
            }
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        Err(unknown(
            format!("there is no parameter or state variable `{name}`"),
            name,
            &refs,
            "the names known here are",
        ))
    }

    fn resolve_node(&self, id: &str) -> Result<u32, ScopeError> {
        self.node(id).map(|i| i as u32)
    }
}
