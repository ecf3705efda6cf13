//! The recursive-descent parser, one function per rule of the STIX 2.1 grammar:
//!
//! ```text
//! pattern      := obs_fb EOF
//! obs_fb       := obs_or  (FOLLOWEDBY obs_or)*        loosest
//! obs_or       := obs_and (OR obs_and)*
//! obs_and      := obs_qual (AND obs_qual)*
//! obs_qual     := obs_primary qualifier*               qualifiers bind tightest
//! obs_primary  := '[' cmp_or ']' | '(' obs_fb ')'
//! qualifier    := START ts STOP ts | WITHIN (int|float) SECONDS | REPEATS int TIMES
//! cmp_or       := cmp_and (OR cmp_and)*
//! cmp_and      := prop_test (AND prop_test)*
//! prop_test    := '(' cmp_or ')' | NOT? EXISTS path | path NOT? operator operand
//! path         := type ':' (ident | string) ('.' (ident | string) | '[' (int | '*') ']')*
//! ```
//!
//! Nesting of `(` and `[` is limited to [`crate::MAX_DEPTH`] so that hostile input cannot
//! exhaust the stack here or in any later walk over the tree.

use crate::MAX_DEPTH;
use crate::ast::*;
use crate::error::{ErrorKind, PatternError};
use crate::lexer::{Keyword, Tok, Token, lex};

/// Parses `src` into a tree, checking syntax only.
pub(crate) fn parse(src: &str) -> Result<Pattern, PatternError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    if matches!(p.peek(), Tok::Eof) {
        return Err(PatternError::new(
            ErrorKind::Syntax,
            p.span(),
            "empty pattern: expected '[' or '('",
        ));
    }
    let root = p.obs_followed_by()?;
    if !matches!(p.peek(), Tok::Eof) {
        return Err(p.expected("AND, OR, FOLLOWEDBY or a qualifier"));
    }
    Ok(Pattern { root })
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Tok<'a> {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].kind
    }

    fn span(&self) -> Span {
        self.tokens[self.pos.min(self.tokens.len() - 1)]
            .span
            .clone()
    }

    /// Where the previous token ended (the start of the pattern before the first one).
    fn prev_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .map_or(0, |i| self.tokens[i].span.end)
    }

    /// Moves past the current token, returning its span.
    fn bump(&mut self) -> Span {
        let span = self.span();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        span
    }

    /// The current string token's text, moved out of the token (which keeps its kind, all
    /// that messages about it use), then past it. Call only when [`Self::peek`] is a string.
    fn take_str(&mut self) -> (String, Span) {
        let at = self.pos.min(self.tokens.len() - 1);
        let text = match &mut self.tokens[at].kind {
            Tok::Str(s) => std::mem::take(s).into_owned(),
            _ => String::new(),
        };
        (text, self.bump())
    }

    fn at_keyword(&self, k: Keyword) -> bool {
        matches!(self.peek(), Tok::Keyword(found) if *found == k)
    }

    fn eat_keyword(&mut self, k: Keyword) -> bool {
        let hit = self.at_keyword(k);
        if hit {
            self.bump();
        }
        hit
    }

    /// "expected X after Y, found Z", pointing at the current token.
    fn expected(&self, what: &str) -> PatternError {
        let after = match self.pos.checked_sub(1) {
            Some(i) => format!(" after {}", self.tokens[i].kind.describe()),
            None => String::new(),
        };
        let found = self.peek().describe();
        PatternError::new(
            ErrorKind::Syntax,
            self.span(),
            format!("expected {what}{after}, found {found}"),
        )
    }

    fn expect(&mut self, want: &Tok<'_>, what: &str) -> Result<Span, PatternError> {
        if self.peek() == want {
            Ok(self.bump())
        } else {
            Err(self.expected(what))
        }
    }

    fn expect_keyword(&mut self, k: Keyword) -> Result<Span, PatternError> {
        if self.at_keyword(k) {
            Ok(self.bump())
        } else {
            Err(self.expected(k.as_str()))
        }
    }

    fn enter(&mut self) -> Result<(), PatternError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(PatternError::new(
                ErrorKind::DepthLimit,
                self.span(),
                format!("pattern nests parentheses and brackets deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Parses `item (KEYWORD item)*` into one flat node when the keyword occurs.
    fn chain<T>(
        &mut self,
        k: Keyword,
        mut item: impl FnMut(&mut Self) -> Result<T, PatternError>,
        span_of: impl Fn(&T) -> Span,
        build: impl FnOnce(Vec<T>, Span) -> T,
    ) -> Result<T, PatternError> {
        let first = item(self)?;
        if !self.at_keyword(k) {
            return Ok(first);
        }
        let start = span_of(&first).start;
        let mut items = vec![first];
        while self.eat_keyword(k) {
            items.push(item(self)?);
        }
        let end = items.last().map_or(start, |i| span_of(i).end);
        Ok(build(items, start..end))
    }

    fn obs_followed_by(&mut self) -> Result<ObservationExpr, PatternError> {
        self.chain(
            Keyword::FollowedBy,
            Self::obs_or,
            |e| e.span.clone(),
            |v, span| ObservationExpr {
                kind: ObservationKind::FollowedBy(v),
                span,
            },
        )
    }

    fn obs_or(&mut self) -> Result<ObservationExpr, PatternError> {
        self.chain(
            Keyword::Or,
            Self::obs_and,
            |e| e.span.clone(),
            |v, span| ObservationExpr {
                kind: ObservationKind::Or(v),
                span,
            },
        )
    }

    fn obs_and(&mut self) -> Result<ObservationExpr, PatternError> {
        self.chain(
            Keyword::And,
            Self::obs_qualified,
            |e| e.span.clone(),
            |v, span| ObservationExpr {
                kind: ObservationKind::And(v),
                span,
            },
        )
    }

    fn obs_qualified(&mut self) -> Result<ObservationExpr, PatternError> {
        let inner = self.obs_primary()?;
        let mut qualifiers = Vec::new();
        while let Some(q) = self.qualifier()? {
            qualifiers.push(q);
        }
        if qualifiers.is_empty() {
            return Ok(inner);
        }
        let span = inner.span.start..qualifiers.last().map_or(inner.span.end, |q| q.span.end);
        Ok(ObservationExpr {
            kind: ObservationKind::Qualified {
                inner: Box::new(inner),
                qualifiers,
            },
            span,
        })
    }

    fn obs_primary(&mut self) -> Result<ObservationExpr, PatternError> {
        let start = self.span().start;
        match self.peek() {
            Tok::LBrack => {
                self.enter()?;
                self.bump();
                let cmp = self.cmp_or()?;
                let close = self.expect(&Tok::RBrack, "']' to close the observation expression")?;
                self.leave();
                Ok(ObservationExpr {
                    kind: ObservationKind::Comparison(cmp),
                    span: start..close.end,
                })
            }
            Tok::LParen => {
                self.enter()?;
                self.bump();
                let inner = self.obs_followed_by()?;
                let close = self.expect(&Tok::RParen, "')' to close the group")?;
                self.leave();
                Ok(ObservationExpr {
                    kind: ObservationKind::Group(Box::new(inner)),
                    span: start..close.end,
                })
            }
            _ => Err(self.expected("'[' or '(' to begin an observation expression")),
        }
    }

    fn qualifier(&mut self) -> Result<Option<Qualifier>, PatternError> {
        let start = self.span().start;
        let kind = if self.eat_keyword(Keyword::Within) {
            let seconds = match self.peek() {
                Tok::Int {
                    value,
                    negative: false,
                } => Seconds::Int(*value),
                Tok::Float {
                    value,
                    negative: false,
                } => Seconds::Float(*value),
                _ => return Err(self.expected("a non-negative number of seconds")),
            };
            self.bump();
            self.expect_keyword(Keyword::Seconds)?;
            QualifierKind::Within(seconds)
        } else if self.eat_keyword(Keyword::Repeats) {
            let Tok::Int {
                value,
                negative: false,
            } = *self.peek()
            else {
                return Err(self.expected("a non-negative whole number of repetitions"));
            };
            self.bump();
            self.expect_keyword(Keyword::Times)?;
            QualifierKind::Repeats(value)
        } else if self.eat_keyword(Keyword::Start) {
            let start_ts = self.timestamp()?;
            self.expect_keyword(Keyword::Stop)?;
            let stop = self.timestamp()?;
            QualifierKind::StartStop {
                start: start_ts,
                stop,
            }
        } else {
            return Ok(None);
        };
        Ok(Some(Qualifier {
            kind,
            span: start..self.prev_end(),
        }))
    }

    fn timestamp(&mut self) -> Result<crate::Timestamp, PatternError> {
        match *self.peek() {
            Tok::Timestamp(ts) => {
                self.bump();
                Ok(ts)
            }
            _ => Err(self.expected("a timestamp literal t'…'")),
        }
    }

    fn cmp_or(&mut self) -> Result<ComparisonExpr, PatternError> {
        self.chain(
            Keyword::Or,
            Self::cmp_and,
            |e| e.span.clone(),
            |v, span| ComparisonExpr {
                kind: ComparisonKind::Or(v),
                span,
            },
        )
    }

    fn cmp_and(&mut self) -> Result<ComparisonExpr, PatternError> {
        self.chain(
            Keyword::And,
            Self::prop_test,
            |e| e.span.clone(),
            |v, span| ComparisonExpr {
                kind: ComparisonKind::And(v),
                span,
            },
        )
    }

    fn prop_test(&mut self) -> Result<ComparisonExpr, PatternError> {
        let start = self.span().start;
        if matches!(self.peek(), Tok::LParen) {
            self.enter()?;
            self.bump();
            let inner = self.cmp_or()?;
            let close = self.expect(&Tok::RParen, "')' to close the group")?;
            self.leave();
            return Ok(ComparisonExpr {
                kind: ComparisonKind::Group(Box::new(inner)),
                span: start..close.end,
            });
        }
        let not_first = self.eat_keyword(Keyword::Not);
        if not_first || self.at_keyword(Keyword::Exists) {
            self.expect_keyword(Keyword::Exists)?;
            let path = self.path()?;
            let span = start..path.span.end;
            let test = PropTest {
                path,
                negated: not_first,
                op: TestOp::Exists,
                span: span.clone(),
            };
            return Ok(ComparisonExpr {
                kind: ComparisonKind::Test(Box::new(test)),
                span,
            });
        }
        if !matches!(self.peek(), Tok::Ident { .. }) {
            return Err(self.expected("an object path, EXISTS or '('"));
        }
        let path = self.path()?;
        let negated = self.eat_keyword(Keyword::Not);
        let op = self.operator()?;
        let span = start..self.prev_end();
        let test = PropTest {
            path,
            negated,
            op,
            span: span.clone(),
        };
        Ok(ComparisonExpr {
            kind: ComparisonKind::Test(Box::new(test)),
            span,
        })
    }

    fn operator(&mut self) -> Result<TestOp, PatternError> {
        let compare = match self.peek() {
            Tok::Eq => Some(CompareOp::Eq),
            Tok::Neq => Some(CompareOp::Ne),
            Tok::Lt => Some(CompareOp::Lt),
            Tok::Le => Some(CompareOp::Le),
            Tok::Gt => Some(CompareOp::Gt),
            Tok::Ge => Some(CompareOp::Ge),
            _ => None,
        };
        if let Some(op) = compare {
            self.bump();
            let lit = self.literal(matches!(op, CompareOp::Eq | CompareOp::Ne))?;
            return Ok(TestOp::Compare(op, lit));
        }
        let Tok::Keyword(k) = *self.peek() else {
            return Err(self.expected("a comparison operator"));
        };
        let text_op: fn(TextOperand) -> TestOp = match k {
            Keyword::In => {
                self.bump();
                return self.set().map(TestOp::In);
            }
            Keyword::Like => TestOp::Like,
            Keyword::Matches => TestOp::Matches,
            Keyword::IsSubset => TestOp::IsSubset,
            Keyword::IsSuperset => TestOp::IsSuperset,
            _ => return Err(self.expected("a comparison operator")),
        };
        self.bump();
        match self.peek() {
            Tok::Str(_) => {
                let (text, span) = self.take_str();
                Ok(text_op(TextOperand::new(text, span)))
            }
            _ => Err(self.expected("a string literal")),
        }
    }

    /// A literal; booleans only where `allow_bool` (equality and sets, not ordering).
    fn literal(&mut self, allow_bool: bool) -> Result<Literal, PatternError> {
        let value = match self.peek() {
            Tok::Int { value, .. } => LiteralValue::Int(*value),
            Tok::Float { value, .. } => LiteralValue::Float(*value),
            Tok::Str(_) => {
                let (text, span) = self.take_str();
                return Ok(Literal {
                    value: LiteralValue::Str(text),
                    span,
                });
            }
            Tok::Timestamp(t) => LiteralValue::Timestamp(*t),
            Tok::Hex(h) => LiteralValue::Hex(h.clone()),
            Tok::Binary(b) => LiteralValue::Binary(b.clone()),
            Tok::Bool(b) if allow_bool => LiteralValue::Bool(*b),
            Tok::Bool(_) => {
                return Err(self.expected("an orderable literal (booleans have no order)"));
            }
            _ => return Err(self.expected("a literal")),
        };
        let span = self.bump();
        Ok(Literal { value, span })
    }

    fn set(&mut self) -> Result<Vec<Literal>, PatternError> {
        self.expect(&Tok::LParen, "'(' to begin a set")?;
        let mut items = Vec::new();
        if matches!(self.peek(), Tok::RParen) {
            self.bump();
            return Ok(items);
        }
        loop {
            items.push(self.literal(true)?);
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RParen => {
                    self.bump();
                    return Ok(items);
                }
                _ => return Err(self.expected("',' or ')' in the set")),
            }
        }
    }

    fn path(&mut self) -> Result<ObjectPath, PatternError> {
        let &Tok::Ident {
            name: object_type, ..
        } = self.peek()
        else {
            return Err(self.expected("an object type"));
        };
        let type_span = self.bump();
        self.expect(&Tok::Colon, "':' after the object type")?;
        let mut steps = Vec::with_capacity(4);
        steps.push(self.key("a property name")?);
        loop {
            match self.peek() {
                Tok::Dot => {
                    self.bump();
                    steps.push(self.key("a property name or quoted key after '.'")?);
                }
                Tok::LBrack => {
                    let start = self.bump().start;
                    let kind = match *self.peek() {
                        Tok::Int { value, .. } => PathStepKind::Index(value),
                        Tok::Star => PathStepKind::AnyIndex,
                        _ => return Err(self.expected("a list index or '*'")),
                    };
                    self.bump();
                    let close = self.expect(&Tok::RBrack, "']' to close the list index")?;
                    steps.push(PathStep {
                        kind,
                        span: start..close.end,
                    });
                }
                _ => break,
            }
        }
        let span = type_span.start..self.prev_end();
        Ok(ObjectPath {
            object_type: object_type.to_owned(),
            type_span,
            steps,
            span,
        })
    }

    fn key(&mut self, what: &str) -> Result<PathStep, PatternError> {
        let kind = match self.peek() {
            Tok::Ident {
                name,
                hyphen: false,
            } => PathStepKind::Key {
                name: (*name).to_owned(),
                quoted: false,
            },
            Tok::Str(_) => {
                let (name, span) = self.take_str();
                return Ok(PathStep {
                    kind: PathStepKind::Key { name, quoted: true },
                    span,
                });
            }
            Tok::Ident { hyphen: true, .. } => {
                return Err(
                    self.expected(&format!("{what} (a property name with '-' must be quoted)"))
                );
            }
            _ => return Err(self.expected(what)),
        };
        let span = self.bump();
        Ok(PathStep { kind, span })
    }
}
