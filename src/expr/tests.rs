use super::ir::{Ir, Load};
use super::*;

/// A scope with parameters `a`, `b`, `c`, `nato_threshold`, state `ru.casualties`,
/// `us.resolve`, time `t` and nodes `ceasefire`, `kursk_counteroffensive`.
struct TestScope;

const PARAMS: [&str; 4] = ["a", "b", "c", "nato_threshold"];
const STATE: [&str; 2] = ["ru.casualties", "us.resolve"];
const NODES: [&str; 2] = ["ceasefire", "kursk_counteroffensive"];

impl Scope for TestScope {
    fn resolve(&self, name: &str) -> Result<Slot, ScopeError> {
        if name == "t" {
            return Ok(Slot::Time);
        }
        if let Some(i) = PARAMS.iter().position(|p| *p == name) {
            return Ok(Slot::Param(i as u32));
        }
        if let Some(i) = STATE.iter().position(|p| *p == name) {
            return Ok(Slot::State(i as u32));
        }
        Err(ScopeError {
            message: format!("unknown name `{name}`"),
            hint: check::closest(name, &PARAMS).map(|p| format!("did you mean `{p}`?")),
        })
    }

    fn resolve_node(&self, id: &str) -> Result<u32, ScopeError> {
        NODES
            .iter()
            .position(|n| *n == id)
            .map(|i| i as u32)
            .ok_or_else(|| ScopeError {
                message: format!("no step or branch `{id}`"),
                hint: None,
            })
    }
}

const P: [f64; 4] = [2.0, 3.0, 0.5, 10.0];
const S: [f64; 2] = [20.0, 0.25];
const COUNTS: [u32; 2] = [0, 3];

fn env(t: f64) -> Env<'static> {
    Env {
        params: &P,
        state: &S,
        counts: &COUNTS,
        t,
    }
}

fn num(text: &str) -> f64 {
    let e =
        Expr::compile(text, Type::Number, &TestScope).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    e.eval(&env(7.0))
}

fn boolean(text: &str) -> bool {
    let e = Expr::compile(text, Type::Bool, &TestScope).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    e.eval_bool(&env(7.0))
}

/// The oracle the evaluator is tested against: `text` type-checked but not folded, then
/// evaluated by walking the tree, every operand computed (no short-circuit, no operand
/// specialised, no branch skipped) and the environment read directly. It shares only the
/// operators' `apply` with the evaluator, so it checks the closure tree's specialisations,
/// its short-circuits and constant folding.
fn oracle(text: &str, env: &Env<'_>) -> f64 {
    let toks = lex::lex(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    let ast = parse::parse(&toks).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    let mut checker = check::Checker {
        scope: &TestScope,
        errors: Vec::new(),
    };
    let checked = checker.check(&ast);
    let (ir, _) = checked.unwrap_or_else(|| panic!("{text}: {:?}", checker.errors));
    walk(&ir, env)
}

fn walk(ir: &Ir, env: &Env<'_>) -> f64 {
    match ir {
        Ir::Const(v) => *v,
        Ir::Load(Load::Param(i)) => env.params[*i as usize],
        Ir::Load(Load::State(i)) => env.state[*i as usize],
        Ir::Load(Load::Time) => env.t,
        Ir::Load(Load::Count(i)) => f64::from(env.counts[*i as usize]),
        Ir::Load(Load::Fired(i)) => f64::from(u8::from(env.counts[*i as usize] > 0)),
        Ir::Un(op, x) => op.apply(walk(x, env)),
        Ir::Chain(first, rest) => rest
            .iter()
            .fold(walk(first, env), |acc, (op, x)| op.apply(acc, walk(x, env))),
        Ir::Tern(op, args) => {
            let [a, b, c] = &**args;
            op.apply(walk(a, env), walk(b, env), walk(c, env))
        }
    }
}

/// Whether two values are the same bits, or both NaN (whose bits the language leaves open).
fn same_bits(x: f64, y: f64) -> bool {
    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
}

fn errors(text: &str, ty: Type) -> Vec<ExprError> {
    match Expr::compile(text, ty, &TestScope) {
        Ok(e) => panic!("{text} compiled: {e:?}"),
        Err(e) => {
            assert!(!e.is_empty());
            for x in &e {
                assert!(
                    x.span.start <= x.span.end && x.span.end <= text.len(),
                    "{x:?}"
                );
            }
            e
        }
    }
}

fn first_error(text: &str, ty: Type) -> ExprError {
    errors(text, ty).remove(0)
}

#[test]
fn literals() {
    assert_eq!(num("12"), 12.0);
    assert_eq!(num("0.5"), 0.5);
    assert_eq!(num("1e-3"), 1e-3);
    assert_eq!(num("2.5E2"), 250.0);
    assert_eq!(num("10_000"), 10_000.0);
    assert_eq!(num(".5"), 0.5);
    assert!(boolean("true"));
    assert!(!boolean("false"));
}

#[test]
fn precedence_table() {
    // Each case pins one pair of neighbouring levels; values use the scope a=2, b=3, c=0.5.
    let cases: [(&str, f64); 14] = [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("24 / 4 / 3", 2.0),
        ("7 % 4 * 2", 6.0),
        ("2 * 3 ^ 2", 18.0),
        ("-2 ^ 2", -4.0),
        ("(-2) ^ 2", 4.0),
        ("2 ^ -1", 0.5),
        ("-a * b", -6.0),
        ("- - a", 2.0),
        ("a + b * c ^ 2", 2.75),
        ("-7 % 4", -3.0),
        ("1 - -1", 2.0),
    ];
    for (text, want) in cases {
        assert_eq!(num(text), want, "{text}");
    }
    // Comparisons bind looser than arithmetic, `not` looser than comparisons, then and, or.
    assert!(boolean("1 + 1 == 2"));
    assert!(boolean("not 1 > 2"));
    assert!(boolean("true or false and false")); // or(true, and(false,false))
    assert!(!boolean("(true or false) and false"));
    assert!(boolean("not false and true"));
    assert!(!boolean("not (false or true)"));
    assert!(boolean("a < b and b <= 3 and a != b and b >= 3 and b > a"));
    assert!(boolean("true == (1 < 2)"));
    assert!(boolean("1 < 2 == true"));
}

#[test]
fn power_is_right_associative() {
    assert_eq!(num("2 ^ 3 ^ 2"), 512.0);
    assert_eq!(num("(2 ^ 3) ^ 2"), 64.0);
    assert_eq!(num("2 ^ -1 ^ 2"), 0.5); // 2^(-(1^2))
}

#[test]
fn every_function() {
    let cases: [(&str, f64); 24] = [
        ("min(3)", 3.0),
        ("min(3, 1, 2)", 1.0),
        ("max(3, 1, 2)", 3.0),
        ("max(a, b)", 3.0),
        ("abs(-2.5)", 2.5),
        ("sqrt(16)", 4.0),
        ("exp(0)", 1.0),
        ("ln(exp(2))", 2.0),
        ("log10(1000)", 3.0),
        ("pow(2, 10)", 1024.0),
        ("floor(-1.5)", -2.0),
        ("ceil(1.2)", 2.0),
        ("round(2.5)", 3.0),
        ("round(-2.5)", -3.0),
        ("clamp(5, 0, 1)", 1.0),
        ("clamp(-5, 0, 1)", 0.0),
        ("clamp(c, 0, 1)", 0.5),
        ("if(a < b, 10, 20)", 10.0),
        ("if(a > b, 10, 20)", 20.0),
        ("logistic(0)", 0.5),
        ("count(kursk_counteroffensive)", 3.0),
        ("count(ceasefire)", 0.0),
        ("if(fired(ceasefire), 1, 2)", 2.0),
        ("min(a, t)", 2.0),
    ];
    for (text, want) in cases {
        let got = num(text);
        assert!((got - want).abs() < 1e-12, "{text}: {got} != {want}");
    }
    assert!((num("logistic(2)") - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-15);
    assert!(boolean("fired(kursk_counteroffensive)"));
    assert!(!boolean("fired(ceasefire)"));
    assert!(boolean("if(true, fired(kursk_counteroffensive), false)"));
    // NaN propagates through min/max, and clamp with lo > hi is NaN, never a panic.
    assert!(num("min(1, sqrt(-1))").is_nan());
    assert!(num("max(sqrt(-1), 1)").is_nan());
    assert!(num("clamp(a, 2, 1)").is_nan());
    // Division by zero follows IEEE.
    assert_eq!(num("1 / 0"), f64::INFINITY);
    assert!(num("0 / 0").is_nan());
    assert!(num("a % 0").is_nan());
}

#[test]
fn names_and_lists() {
    let e = Expr::compile(
        "fired(kursk_counteroffensive) and not fired(ceasefire) and ru.casualties > 1.5 * nato_threshold or t >= 30",
        Type::Bool,
        &TestScope,
    )
    .unwrap();
    assert!(e.reads_time());
    assert!(e.reads_state());
    assert_eq!(e.params_read(), &[3]);
    assert_eq!(e.state_read(), &[0]);
    assert_eq!(e.nodes_read(), &[0, 1]);
    assert_eq!(e.ty(), Type::Bool);
    assert_eq!(e.as_constant(), None);
    // kursk fired (3), ceasefire not, 20 > 15: true at any t.
    assert!(e.eval_bool(&env(0.0)));
    let counts = [1, 3];
    let late = Env {
        counts: &counts,
        t: 31.0,
        ..env(0.0)
    };
    assert!(e.eval_bool(&late));
    let early = Env { t: 29.0, ..late };
    assert!(!e.eval_bool(&early));

    let e = Expr::compile(
        "b * a + b - a / c + count(ceasefire)",
        Type::Number,
        &TestScope,
    )
    .unwrap();
    assert_eq!(e.params_read(), &[0, 1, 2]);
    assert!(!e.reads_time() && !e.reads_state());
    assert_eq!(e.nodes_read(), &[0]);
    assert_eq!(e.eval(&env(0.0)), 3.0 * 2.0 + 3.0 - 2.0 / 0.5);
    assert_eq!(e.text(), "b * a + b - a / c + count(ceasefire)");
}

#[test]
fn constant_folding() {
    let c = |text: &str| {
        Expr::compile(text, Type::Number, &TestScope)
            .unwrap()
            .as_constant()
    };
    assert_eq!(c("1 + 2 * 3"), Some(7.0));
    assert_eq!(c("max(1, 2, sqrt(9)) ^ 2"), Some(9.0));
    assert_eq!(c("if(1 < 2, 5, 6)"), Some(5.0));
    assert_eq!(c("if(true, 5, a)"), Some(5.0));
    assert_eq!(c("-(2)"), Some(-2.0));
    assert_eq!(c("a + 1"), None);
    assert_eq!(c("t"), None);
    let b = Expr::compile("not (1 > 2)", Type::Bool, &TestScope).unwrap();
    assert_eq!(b.as_constant(), Some(1.0));
    assert!(b.eval_bool(&env(0.0)));
    // A folded branch no longer counts as read.
    let e = Expr::compile("if(false, a, b)", Type::Number, &TestScope).unwrap();
    assert_eq!(e.params_read(), &[1]);
    // Partly constant: the constant prefix folds, the rest still evaluates.
    let e = Expr::compile("1 + 2 + a * 2 - 10 / 5", Type::Number, &TestScope).unwrap();
    assert_eq!(e.as_constant(), None);
    assert_eq!(e.eval(&env(0.0)), 5.0);
    assert_eq!(Expr::constant(2.5).as_constant(), Some(2.5));
    assert_eq!(Expr::constant(2.5).eval(&env(0.0)), 2.5);
    assert_eq!(Expr::constant(2.5).ty(), Type::Number);
    assert!(Expr::constant_bool(true).eval_bool(&env(0.0)));
    assert_eq!(Expr::constant_bool(false).ty(), Type::Bool);
    assert!(Expr::constant(1.0).params_read().is_empty());
}

#[test]
fn type_errors_with_spans() {
    // text, expected type, span of the (first) error, a word the message must contain.
    let cases: [(&str, Type, std::ops::Range<usize>, &str); 12] = [
        ("a + 1", Type::Bool, 0..5, "expected a condition"),
        ("a > 1", Type::Number, 0..5, "expected a number"),
        ("a and true", Type::Bool, 0..1, "left side is a number"),
        ("true and a", Type::Bool, 9..10, "right side is a number"),
        ("1 + true", Type::Number, 4..8, "right side is a condition"),
        ("not a", Type::Bool, 4..5, "`not` needs a condition"),
        ("-true", Type::Number, 1..5, "`-` needs a number"),
        ("if(a, 1, 2)", Type::Number, 3..4, "argument 1 of `if`"),
        (
            "if(a > 1, 1, true)",
            Type::Number,
            0..18,
            "branches of `if`",
        ),
        ("sqrt(a > 1)", Type::Number, 5..10, "argument 1 of `sqrt`"),
        ("a == true", Type::Bool, 2..4, "compares a number with"),
        ("1 < 2 < 3", Type::Bool, 0..5, "comparisons do not chain"),
    ];
    for (text, ty, span, words) in cases {
        let e = first_error(text, ty);
        assert_eq!(e.span, span, "{text}: {e:?}");
        let all = format!("{} {}", e.message, e.hint.clone().unwrap_or_default());
        assert!(all.contains(words), "{text}: {all}");
    }
    // Two independent problems: both reported.
    let e = errors("sqrt(true) + ln(false)", Type::Number);
    assert_eq!(e.len(), 2, "{e:?}");
    assert_eq!(e[0].span, 5..9);
    assert_eq!(e[1].span, 16..21);
}

#[test]
fn unknown_names_and_functions() {
    let e = first_error("aa + 1", Type::Number);
    assert_eq!(e.span, 0..2);
    assert_eq!(e.message, "unknown name `aa`");
    assert_eq!(e.hint.as_deref(), Some("did you mean `a`?"));

    let e = first_error("sqr(4)", Type::Number);
    assert_eq!(e.span, 0..3);
    assert_eq!(e.hint.as_deref(), Some("did you mean `sqrt`?"));
    let e = first_error("log(4)", Type::Number);
    assert!(e.hint.unwrap().contains("ln"));
    let e = first_error("frobnicate(4)", Type::Number);
    assert!(e.hint.unwrap().contains("logistic"));

    let e = first_error("fired(cease_fire) or fired(a + 1)", Type::Bool);
    assert_eq!(e.span, 6..16);
    let all = errors("fired(cease_fire) or fired(a + 1)", Type::Bool);
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].span, 27..32);

    let e = first_error("zz + yy", Type::Number);
    assert_eq!(e.span, 0..2);
    assert_eq!(errors("zz + yy", Type::Number).len(), 2);

    let e = first_error("min", Type::Number);
    assert!(e.hint.unwrap().contains("call it"));

    // Arity.
    assert!(
        first_error("sqrt(1, 2)", Type::Number)
            .message
            .contains("takes 1 argument, got 2")
    );
    assert!(
        first_error("min()", Type::Number)
            .message
            .contains("at least 1")
    );
    assert!(
        first_error("clamp(1, 2)", Type::Number)
            .message
            .contains("3 arguments")
    );
    assert!(first_error("fired()", Type::Bool).message.contains("got 0"));
}

#[test]
fn syntax_errors_and_hints() {
    let e = first_error("a = 1", Type::Bool);
    assert_eq!(e.span, 2..3);
    assert!(e.hint.unwrap().contains("=="));
    let e = first_error("a > 1 && b > 1", Type::Bool);
    assert_eq!(e.span, 6..8);
    assert!(e.hint.unwrap().contains("and"));
    let e = first_error("a > 1 || b > 1", Type::Bool);
    assert!(e.hint.unwrap().contains("or"));
    let e = first_error("!true", Type::Bool);
    assert!(e.hint.unwrap().contains("not"));
    let e = first_error("a ** 2", Type::Number);
    assert!(e.hint.unwrap().contains('^'));
    // Several lexical problems at once.
    assert_eq!(errors("a = 1 && b", Type::Bool).len(), 2);

    let e = first_error("(a + 1", Type::Number);
    assert_eq!(e.span, 6..6);
    assert!(e.message.contains("expected `)`"));
    let e = first_error("a + 1)", Type::Number);
    assert_eq!(e.span, 5..6);
    let e = first_error("a +", Type::Number);
    assert!(e.message.contains("ends too early"));
    let e = first_error("a b", Type::Number);
    assert_eq!(e.span, 2..3);
    let e = first_error("", Type::Number);
    assert!(e.message.contains("empty"));
    let e = first_error("   ", Type::Number);
    assert!(e.message.contains("empty"));
    let e = first_error("2x", Type::Number);
    assert_eq!(e.span, 0..2);
    let e = first_error("1e", Type::Number);
    assert!(e.message.contains("exponent"));
    let e = first_error("1_", Type::Number);
    assert!(e.message.contains("malformed"));
    let e = first_error("1e999", Type::Number);
    assert!(e.message.contains("too large"));
    let e = first_error("a + é", Type::Number);
    assert_eq!(e.span, 4..6);
    let e = first_error("min(1 2)", Type::Number);
    assert_eq!(e.span, 6..7);
}

#[test]
fn depth_limit() {
    let nested = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(num(&nested(64)), 1.0);
    let e = first_error(&nested(65), Type::Number);
    assert!(e.message.contains("64 levels"));
    // Huge inputs give an error, not a stack overflow.
    for text in [
        "(".repeat(100_000),
        nested(100_000),
        "not ".repeat(100_000) + "true",
        "-".repeat(100_000) + "1",
        "2^".repeat(100_000) + "2",
        "sqrt(".repeat(100_000),
    ] {
        let e = first_error(&text, Type::Number);
        assert!(e.message.contains("64 levels"), "{}", e.message);
    }
    // Long flat chains are not nesting: they compile and evaluate.
    let sum = vec!["a"; 100_000].join(" + ");
    assert_eq!(num(&sum), 200_000.0);
    let conj = vec!["a < b"; 10_000].join(" and ");
    assert!(boolean(&conj));
    let args = format!("max({})", vec!["a"; 10_000].join(", "));
    assert_eq!(num(&args), 2.0);
    // A right-leaning tree near the nesting limit evaluates exactly.
    let mut deep = String::from("a");
    for _ in 0..30 {
        deep = format!("a - b / (c - ({deep}))");
    }
    let got = num(&deep);
    let mut want = 2.0;
    for _ in 0..30 {
        want = 2.0 - 3.0 / (0.5 - want);
    }
    assert_eq!(got, want);
    assert!(same_bits(got, oracle(&deep, &env(7.0))));
}

/// The nesting limit is the only bound on an expression's size: the deepest expression it
/// lets through, with the most closures per level (a short chain nests one closure per
/// operand), compiles, evaluates and drops on a quarter of the stack a test thread has.
#[test]
fn deepest_expression_fits_a_small_stack() {
    let mut deep = String::from("t");
    for _ in 0..parse::MAX_DEPTH {
        deep = format!("clamp({deep} + a - b * c + a - b * c + a - b * c + a - c, 0, b)");
    }
    assert!(
        first_error(&format!("-{deep}"), Type::Number)
            .message
            .contains("64 levels")
    );
    let run = move || {
        let e = Expr::compile(&deep, Type::Number, &TestScope).unwrap();
        (e.eval(&env(7.0)), oracle(&deep, &env(7.0)))
    };
    let (got, want) = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
    assert!(same_bits(got, want), "{got} != {want}");
    assert_eq!(got, 3.0);
}

#[test]
fn and_or_chains_match_truth_tables() {
    // Every combination of three conditions, through `and`/`or` chains and their mixes;
    // counts = [0, 3]: fired(ceasefire) is false, fired(kursk_counteroffensive) true.
    let atoms = [
        ("a < b", true),
        ("a > b", false),
        ("fired(ceasefire)", false),
    ];
    for (x, vx) in atoms {
        for (y, vy) in atoms {
            for (z, vz) in atoms {
                let cases = [
                    (format!("{x} and {y} and {z}"), vx && vy && vz),
                    (format!("{x} or {y} or {z}"), vx || vy || vz),
                    (format!("{x} and {y} or {z}"), (vx && vy) || vz),
                    (format!("{x} or {y} and {z}"), vx || (vy && vz)),
                    (format!("not ({x} or {y}) and not {z}"), !vx && !vy && !vz),
                    (format!("(({x}) == ({y})) != ({z})"), (vx == vy) != vz),
                ];
                for (text, want) in cases {
                    let e = Expr::compile(&text, Type::Bool, &TestScope).unwrap();
                    assert_eq!(e.eval(&env(0.0)), f64::from(u8::from(want)), "{text}");
                }
            }
        }
    }
    // Comparisons with the operands swapped keep their meaning, NaN included.
    assert!(boolean("a < 2 * b") && !boolean("a > 2 * b") && boolean("b >= 3 * 1"));
    let nan = |text: &str| {
        let e = Expr::compile(text, Type::Bool, &TestScope).unwrap();
        e.eval(&env(0.0)).is_nan() && oracle(text, &env(0.0)).is_nan()
    };
    assert!(nan("a < sqrt(-1)") && nan("a >= sqrt(-1)") && nan("2 * a > sqrt(-b)"));
    assert!(boolean("2 - a <= 0") && boolean("1 < a - 0.5"));
    assert_eq!(num("c - a * b"), -5.5);
    assert_eq!(num("c / (a + b)"), 0.1);
    assert_eq!(num("2 ^ (a + 1)"), 8.0);
    assert_eq!(num("t - (a + 1)"), 4.0);
}

/// NaN is never true or false: it carries through comparisons, `not`, `and`, `or`, `if`,
/// `clamp` and `^`, the same in the closure tree, the oracle and constant folding.
#[test]
fn nan_propagates_the_same_evaluated_and_folded() {
    // (expression, its value or None for NaN), where `@` is NaN: the parameter `a` at run
    // time, or `(0/0)` folded when the file loads (with `b` written 3); `b` = 3.
    let cases: [(&str, Option<f64>); 24] = [
        ("if(@ < b, 1, 0)", None),
        ("if(@ >= b, 1, 0)", None),
        ("if(@ == @, 1, 0)", None),
        ("if(@ != b, 1, 0)", None),
        ("if(not (@ > b), 1, 0)", None),
        ("if(@ > b and b > 1, 1, 0)", None),
        ("if(b > 1 and @ > b, 1, 0)", None),
        ("if(b < 1 and @ > b, 1, 0)", Some(0.0)),
        ("if(@ > b or b > 1, 1, 0)", None),
        ("if(b > 1 or @ > b, 1, 0)", Some(1.0)),
        ("if(b < 1 or @ > b, 1, 0)", None),
        (
            "if(b < 1 or b < 2 or b < 0 or b < -1 or b < -2 or b < -3 or b < -4 or b < -5 \
             or b < -6 or b < -7 or @ > b, 1, 0)",
            None,
        ),
        ("if(fired(kursk_counteroffensive) and @ > 0, 1, 0)", None),
        ("if(fired(ceasefire) and @ > 0, 1, 0)", Some(0.0)),
        ("if(fired(ceasefire) or @ > 0, 1, 0)", None),
        ("if(@ > 0, 1, 0) + 1", None),
        ("clamp(b, @, 5)", None),
        ("clamp(b, 0, @)", None),
        ("clamp(@, 0, 1)", None),
        ("@ ^ 0", None),
        ("1 ^ @", None),
        ("min(@, b)", None),
        ("max(b, @)", None),
        ("if(@ > b and b > 1, 1, 0) * 0", None),
    ];
    let params = [f64::NAN, 3.0, 0.5, 10.0];
    let env = Env {
        params: &params,
        state: &S,
        counts: &COUNTS,
        t: 0.0,
    };
    let same = |x: f64, want: Option<f64>| match want {
        Some(w) => x == w,
        None => x.is_nan(),
    };
    for (text, want) in cases {
        let text_a = text.replace('@', "a");
        let e = Expr::compile(&text_a, Type::Number, &TestScope).unwrap();
        let (tree, walked) = (e.eval(&env), oracle(&text_a, &env));
        assert!(same(tree, want), "{text}: tree {tree}");
        assert!(same(walked, want), "{text}: oracle {walked}");
        // The same with NaN as a constant, folded when the file loads.
        // (No name in these cases but `b` has a `b` in it.)
        let folded = text.replace('@', "(0/0)").replace('b', "3");
        let f = Expr::compile(&folded, Type::Number, &TestScope).unwrap();
        let v = f.eval(&env);
        assert!(same(v, want), "{folded}: folded {v}");
        assert!(
            f.as_constant().is_some() || text.contains("fired"),
            "{folded}"
        );
    }
}

#[test]
fn eval_matches_hand_written() {
    let e = Expr::compile(
        "(a + b) * c - t / 2 + max(a, b) ^ 2 + if(fired(ceasefire), 1, ru.casualties)",
        Type::Number,
        &TestScope,
    )
    .unwrap();
    for t in [0.0, 1.5, 100.0] {
        let want = (2.0 + 3.0) * 0.5 - t / 2.0 + 9.0 + 20.0;
        assert_eq!(e.eval(&env(t)), want);
    }
}

#[test]
fn expr_is_send_sync_clone() {
    fn check<T: Clone + std::fmt::Debug + Send + Sync>() {}
    check::<Expr>();
}

/// `min` and `max` are not commutative to the bit on signed zeros, so no evaluator may swap
/// their operands (the proptest found `min(0, -(count(ceasefire))) * a` in a flat
/// interpreter that did).
#[test]
fn min_max_keep_operand_order_on_signed_zeros() {
    for s in [
        "min(0, -(count(ceasefire))) * a",
        "min(-(count(ceasefire)), 0) * a",
        "max(0, -(count(ceasefire))) * a",
        "max(-(count(ceasefire)), 0) * a",
        "min(-0, count(ceasefire))",
        "max(count(ceasefire), -0)",
    ] {
        let e = Expr::compile(s, Type::Number, &TestScope).unwrap();
        let (x, y) = (e.eval(&env(0.0)), oracle(s, &env(0.0)));
        assert_eq!(x.to_bits(), y.to_bits(), "{s}: tree {x}, oracle {y}");
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Random well-typed number expressions over every operator, operand kind and chain.
    fn number_expr() -> impl Strategy<Value = String> {
        let leaf = proptest::sample::select(vec![
            "a",
            "b",
            "c",
            "t",
            "ru.casualties",
            "us.resolve",
            "1.5",
            "0",
            "-2",
            "1e3",
            "count(ceasefire)",
            "count(kursk_counteroffensive)",
        ])
        .prop_map(str::to_string);
        leaf.prop_recursive(5, 40, 4, |inner| {
            let op = proptest::sample::select(vec![
                "+", "-", "*", "/", "%", "^", "<", "<=", ">", ">=", "==", "!=", "min", "max",
            ]);
            let un = proptest::sample::select(vec![
                "-", "abs", "sqrt", "exp", "ln", "log10", "floor", "ceil", "round", "logistic",
            ]);
            let conn = proptest::sample::select(vec![" and ", " or "]);
            let fired = proptest::sample::select(vec![
                "fired(ceasefire)",
                "not fired(kursk_counteroffensive)",
                "fired(kursk_counteroffensive)",
            ]);
            prop_oneof![
                // A chain of one operator (long chains loop, short ones nest).
                (proptest::collection::vec(inner.clone(), 2..12), op.clone()).prop_map(
                    |(xs, op)| match op {
                        "min" | "max" => format!("{op}({})", xs.join(", ")),
                        "<" | "<=" | ">" | ">=" | "==" | "!=" => {
                            format!("if({} {op} {}, 1, 0)", xs[0], xs[1])
                        }
                        _ => format!("({})", xs.join(&format!(" {op} "))),
                    }
                ),
                (inner.clone(), un).prop_map(|(x, f)| if f == "-" {
                    format!("-({x})")
                } else {
                    format!("{f}({x})")
                }),
                // Conditions: comparisons and fired() joined by and / or.
                (
                    proptest::collection::vec(
                        prop_oneof![
                            (inner.clone(), op.clone(), inner.clone())
                                .prop_map(|(x, _, y)| format!("{x} < {y}")),
                            fired.prop_map(str::to_string),
                        ],
                        1..12
                    ),
                    conn,
                    inner.clone(),
                    inner.clone()
                )
                    .prop_map(|(cs, c, x, y)| format!("if({}, {x}, {y})", cs.join(c))),
                (inner.clone(), inner.clone(), inner)
                    .prop_map(|(x, y, z)| format!("clamp({x}, {y}, {z})")),
            ]
        })
    }

    proptest! {
        // A fixed seed: CI must not pass or fail by luck. Change the seed to explore anew.
        #![proptest_config(ProptestConfig {
            cases: 2000,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_2026),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// The closure tree computes the oracle's bits.
        #[test]
        fn tree_matches_oracle(s in number_expr(), t in -5.0f64..50.0) {
            let e = Expr::compile(&s, Type::Number, &TestScope);
            prop_assert!(e.is_ok(), "{s}: {e:?}");
            if let Ok(e) = e {
                let env = env(t);
                let (x, y) = (e.eval(&env), oracle(&s, &env));
                prop_assert!(same_bits(x, y), "{s} at t={t}: tree {x}, oracle {y}");
            }
        }
        #[test]
        fn any_string_never_panics(s in "\\PC{0,60}") {
            let _ = Expr::compile(&s, Type::Number, &TestScope);
            let _ = Expr::compile(&s, Type::Bool, &TestScope);
        }

        #[test]
        fn token_soup_never_panics(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "a", "b", "t", "ru.casualties", "1", "0.5", "1e3", "10_000", "true", "false",
                "and", "or", "not", "+", "-", "*", "/", "%", "^", "(", ")", ",", "<", "<=",
                ">", ">=", "==", "!=", "min", "max", "if", "clamp", "fired", "count",
                "ceasefire", "sqrt", "=", "&&", "",
            ]), 0..30)) {
            let s = parts.join(" ");
            for ty in [Type::Number, Type::Bool] {
                if let Ok(e) = Expr::compile(&s, ty, &TestScope) {
                    let _ = e.eval(&env(1.0));
                } else if let Err(errs) = Expr::compile(&s, ty, &TestScope) {
                    prop_assert!(!errs.is_empty());
                    for x in errs {
                        prop_assert!(x.span.end <= s.len() && x.span.start <= x.span.end);
                        prop_assert!(s.is_char_boundary(x.span.start) && s.is_char_boundary(x.span.end));
                    }
                }
            }
        }
    }
}

/// `tick_atoms` with `ru.casualties` flowing (`us.resolve` not): the comparisons of linear
/// expressions in it and `t` are the atoms, in order; anything else that reads a moving value
/// rules the condition out.
#[test]
fn tick_atoms_are_the_linear_comparisons_of_moving_values() {
    let moving = |v: u32| v == 0;
    let atoms = |text: &str| {
        Expr::compile(text, Type::Bool, &TestScope)
            .unwrap_or_else(|e| panic!("{text}: {e:?}"))
            .tick_atoms(&moving)
            .map(|a| a.len())
    };
    assert_eq!(atoms("us.resolve > a and fired(ceasefire)"), Some(0));
    assert_eq!(atoms("ru.casualties >= 1.5 * nato_threshold"), Some(1));
    assert_eq!(atoms("t >= a + us.resolve * ru.casualties / b"), Some(1));
    assert_eq!(
        atoms("not (ru.casualties - 2 * t < c) or us.resolve > 1 and t > 3"),
        Some(2)
    );
    assert_eq!(atoms("if(us.resolve > 0, ru.casualties, -t) > a"), Some(1));
    assert_eq!(
        atoms("if(fired(ceasefire), t > 1, ru.casualties < 2)"),
        Some(2)
    );
    for unpredictable in [
        "ru.casualties * ru.casualties > a",
        "ru.casualties * t > a",
        "a / ru.casualties > 1",
        "ru.casualties == 3",
        "floor(t) >= 2",
        "max(ru.casualties, t) > a",
        "if(t > 2, a, b) > 1",
    ] {
        assert_eq!(atoms(unpredictable), None, "{unpredictable}");
    }
    // An atom evaluates as the comparison it is.
    let e = Expr::compile("ru.casualties > 10 and t < 5", Type::Bool, &TestScope).unwrap();
    let a = e.tick_atoms(&moving).unwrap();
    assert_eq!(a.len(), 2);
    assert!(a[0].eval_bool(&env(7.0)) && !a[1].eval_bool(&env(7.0)));
}
