//! Recursive-descent parser from tokens to a syntax tree.
//!
//! Left-associative operator chains (`a + b - c`, `x and y and z`) are parsed in a loop and
//! kept as one n-ary [`AstKind::Chain`] node, so a long sum does not make a deep tree. Only
//! real nesting (parentheses, calls, unary operators, the right side of `^`) recurses, and
//! every such step is counted *before* recursing: past [`MAX_DEPTH`] the parser stops with
//! an error, so no input can overflow the stack.

use std::ops::Range;

use super::ExprError;
use super::ir::BinOp;
use super::lex::{Tok, Token};

/// The deepest nesting accepted (spec section 7).
pub(super) const MAX_DEPTH: usize = 64;

/// A node of the syntax tree and the bytes it covers.
#[derive(Debug)]
pub(super) struct Ast {
    pub kind: AstKind,
    pub span: Range<usize>,
}

/// What a syntax node is.
#[derive(Debug)]
pub(super) enum AstKind {
    Num(f64),
    Bool(bool),
    Name(String),
    Neg(Box<Ast>),
    Not(Box<Ast>),
    /// `first op1 x1 op2 x2 ...`, applied left to right; each operator with its span.
    Chain(Box<Ast>, Vec<(BinOp, Range<usize>, Ast)>),
    /// `name(args)`.
    Call(String, Range<usize>, Vec<Ast>),
}

struct Parser<'t> {
    toks: &'t [Token],
    pos: usize,
    depth: usize,
}

type PResult = Result<Ast, ExprError>;

/// Parses a whole expression.
pub(super) fn parse(toks: &[Token]) -> PResult {
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    if p.peek() == &Tok::End {
        return Err(ExprError {
            span: p.span(),
            message: "the expression is empty".into(),
            hint: Some("write a number, a name or a condition, e.g. `x > 0`".into()),
        });
    }
    let e = p.or()?;
    if p.peek() != &Tok::End {
        let t = p.peek().clone();
        let hint = match t {
            Tok::RParen => "this `)` has no matching `(`",
            Tok::Name(_) | Tok::Num(_) | Tok::LParen | Tok::True | Tok::False | Tok::Not => {
                "is an operator missing before it?"
            }
            _ => "remove it or complete the expression",
        };
        return Err(ExprError {
            span: p.span(),
            message: format!("unexpected {} after a complete expression", t.describe()),
            hint: Some(hint.into()),
        });
    }
    Ok(e)
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        // The token list always ends with `End` and the parser never moves past it.
        self.toks.get(self.pos).map_or(&Tok::End, |t| &t.tok)
    }

    fn span(&self) -> Range<usize> {
        self.toks
            .get(self.pos)
            .or(self.toks.last())
            .map_or(0..0, |t| t.span.clone())
    }

    fn bump(&mut self) -> Range<usize> {
        let s = self.span();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        s
    }

    /// Counts one level of nesting; fails past the limit instead of recursing further.
    fn enter(&mut self, at: Range<usize>) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError {
                span: at,
                message: format!("the expression nests more than {MAX_DEPTH} levels deep"),
                hint: Some("simplify it, or compute parts of it in separate parameters".into()),
            });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// A left-associative chain of `next` separated by the operators `ops` maps.
    fn chain(
        &mut self,
        next: fn(&mut Self) -> PResult,
        op_of: fn(&Tok) -> Option<BinOp>,
    ) -> PResult {
        let first = next(self)?;
        let mut rest = Vec::new();
        while let Some(op) = op_of(self.peek()) {
            let op_span = self.bump();
            rest.push((op, op_span, next(self)?));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        let end = rest.last().map_or(first.span.end, |(_, _, a)| a.span.end);
        let span = first.span.start..end;
        Ok(Ast {
            kind: AstKind::Chain(Box::new(first), rest),
            span,
        })
    }

    fn or(&mut self) -> PResult {
        self.chain(Self::and, |t| (t == &Tok::Or).then_some(BinOp::Or))
    }

    fn and(&mut self) -> PResult {
        self.chain(Self::not, |t| (t == &Tok::And).then_some(BinOp::And))
    }

    fn not(&mut self) -> PResult {
        if self.peek() == &Tok::Not {
            let at = self.bump();
            self.enter(at.clone())?;
            let x = self.not()?;
            self.leave();
            let span = at.start..x.span.end;
            return Ok(Ast {
                kind: AstKind::Not(Box::new(x)),
                span,
            });
        }
        self.cmp()
    }

    fn cmp(&mut self) -> PResult {
        self.chain(Self::add, |t| match t {
            Tok::Lt => Some(BinOp::Lt),
            Tok::Le => Some(BinOp::Le),
            Tok::Gt => Some(BinOp::Gt),
            Tok::Ge => Some(BinOp::Ge),
            Tok::EqEq => Some(BinOp::Eq),
            Tok::Ne => Some(BinOp::Ne),
            _ => None,
        })
    }

    fn add(&mut self) -> PResult {
        self.chain(Self::mul, |t| match t {
            Tok::Plus => Some(BinOp::Add),
            Tok::Minus => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn mul(&mut self) -> PResult {
        self.chain(Self::unary, |t| match t {
            Tok::Star => Some(BinOp::Mul),
            Tok::Slash => Some(BinOp::Div),
            Tok::Percent => Some(BinOp::Rem),
            _ => None,
        })
    }

    fn unary(&mut self) -> PResult {
        if self.peek() == &Tok::Minus {
            let at = self.bump();
            self.enter(at.clone())?;
            let x = self.unary()?;
            self.leave();
            let span = at.start..x.span.end;
            return Ok(Ast {
                kind: AstKind::Neg(Box::new(x)),
                span,
            });
        }
        self.pow()
    }

    /// `primary ^ unary`: right-associative, and binding tighter than unary minus on its
    /// left (`-2^2` is `-(2^2)`) but accepting one on its right (`2^-1`).
    fn pow(&mut self) -> PResult {
        let base = self.primary()?;
        if self.peek() != &Tok::Caret {
            return Ok(base);
        }
        let op_span = self.bump();
        self.enter(op_span.clone())?;
        let exp = self.unary()?;
        self.leave();
        let span = base.span.start..exp.span.end;
        Ok(Ast {
            kind: AstKind::Chain(Box::new(base), vec![(BinOp::Pow, op_span, exp)]),
            span,
        })
    }

    fn primary(&mut self) -> PResult {
        let span = self.span();
        match self.peek().clone() {
            Tok::Num(v) => {
                self.bump();
                Ok(Ast {
                    kind: AstKind::Num(v),
                    span,
                })
            }
            Tok::True | Tok::False => {
                let b = self.peek() == &Tok::True;
                self.bump();
                Ok(Ast {
                    kind: AstKind::Bool(b),
                    span,
                })
            }
            Tok::Name(name) => {
                self.bump();
                if self.peek() == &Tok::LParen {
                    return self.call(name, span);
                }
                Ok(Ast {
                    kind: AstKind::Name(name),
                    span,
                })
            }
            Tok::LParen => {
                let open = self.bump();
                self.enter(open.clone())?;
                let inner = self.or()?;
                self.leave();
                if self.peek() != &Tok::RParen {
                    return Err(ExprError {
                        span: self.span(),
                        message: format!("expected `)`, found {}", self.peek().describe()),
                        hint: Some(format!("the `(` at byte {} is not closed", open.start)),
                    });
                }
                let close = self.bump();
                Ok(Ast {
                    kind: inner.kind,
                    span: open.start..close.end,
                })
            }
            other => {
                let (message, hint) = match other {
                    Tok::End => (
                        "the expression ends too early".to_string(),
                        "something is missing at the end".to_string(),
                    ),
                    _ => (
                        format!(
                            "expected a number, a name or `(`, found {}",
                            other.describe()
                        ),
                        "an operator needs an operand on each side".to_string(),
                    ),
                };
                Err(ExprError {
                    span,
                    message,
                    hint: Some(hint),
                })
            }
        }
    }

    fn call(&mut self, name: String, name_span: Range<usize>) -> PResult {
        let open = self.bump();
        self.enter(open)?;
        let mut args = Vec::new();
        if self.peek() != &Tok::RParen {
            loop {
                args.push(self.or()?);
                match self.peek() {
                    Tok::Comma => {
                        self.bump();
                    }
                    Tok::RParen => break,
                    other => {
                        return Err(ExprError {
                            span: self.span(),
                            message: format!(
                                "expected `,` or `)` in the call of `{name}`, found {}",
                                other.describe()
                            ),
                            hint: Some("separate arguments with commas".into()),
                        });
                    }
                }
            }
        }
        self.leave();
        let close = self.bump();
        Ok(Ast {
            kind: AstKind::Call(name, name_span.clone(), args),
            span: name_span.start..close.end,
        })
    }
}
