//! `[actors.<id>]`: ids, names, blocs and state variables (initial values: expressions over
//! parameters).

use super::exprs::compile_value;
use super::ids::{check_id, check_reserved};
use super::values::want_table;
use super::{Ctx, Table, scope};
use crate::expr::{Expr, Type};
use crate::scenario::check::SourceMap;
use crate::scenario::{Actor, Model, StateVar};

/// `[actors.<id>]`: ids, names, blocs, state variables.
pub(super) fn actors(
    ctx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    model: &mut Model,
    map: &mut SourceMap,
) {
    let Some(v) = root.get("actors") else {
        return;
    };
    let Some(t) = want_table(ctx, v, "[actors]") else {
        return;
    };
    let scope = scope::ParamScope::new(model, scope::ParamContext::Initial);
    let mut vars: Vec<StateVar> = Vec::new();
    let mut actors: Vec<Actor> = Vec::new();
    for (k, v) in t.map.iter() {
        let id: &str = k.get_ref().as_ref();
        check_id(ctx, id, k.span(), "actor");
        check_reserved(ctx, id, k.span(), "actor");
        if let Some(p) = model.params.iter().position(|p| p.id == id) {
            let pspan = map.param_keys.get(p).cloned().unwrap_or(0..0);
            let (span, other, what) = if pspan.start < k.span().start {
                (k.span(), pspan.start, "a parameter")
            } else {
                (pspan, k.span().start, "an actor")
            };
            ctx.error_hint(
                span,
                format!("`{id}` is the id of both a parameter and an actor"),
                format!(
                    "it is also {what} (line {}); parameters and actors need different ids",
                    ctx.line(other)
                ),
            );
        }
        let what = format!("actor `{id}`");
        let actor_index = actors.len();
        let mut actor = Actor {
            id: id.to_string(),
            name: id.to_string(),
            bloc: None,
            vars: Vec::new(),
        };
        map.actor_keys.push(k.span());
        if let Some(at) = want_table(ctx, v, &what) {
            at.check_keys(ctx, &["name", "bloc", "state"]);
            if let Some((s, _)) = at.opt_str(ctx, "name") {
                actor.name = s.to_string();
            }
            actor.bloc = at.opt_str(ctx, "bloc").map(|(s, _)| s.to_string());
            if let Some(sv) = at.get("state")
                && let Some(st) = want_table(ctx, sv, &format!("`state` of {what}"))
            {
                for (vk, vv) in st.map.iter() {
                    let name: &str = vk.get_ref().as_ref();
                    check_id(ctx, name, vk.span(), "state variable");
                    let vwhat = format!("the initial value of `{id}.{name}`");
                    let init = compile_value(ctx, vv, Type::Number, &scope, &vwhat)
                        .unwrap_or_else(|| Expr::constant(0.0));
                    actor.vars.push(vars.len());
                    map.var_keys.push(vk.span());
                    vars.push(StateVar {
                        actor: actor_index,
                        name: name.to_string(),
                        init,
                    });
                }
            }
        }
        actors.push(actor);
    }
    model.actors = actors;
    model.vars = vars;
}
