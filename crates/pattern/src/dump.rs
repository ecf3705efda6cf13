//! A stable, indented text form of the syntax tree with spans, for golden tests and debugging.

use std::fmt::Write;

use crate::ast::*;

impl Pattern {
    /// The tree as indented text, one node a line, each with its byte span, e.g.
    ///
    /// ```text
    /// Observation 0..27
    ///   Test 1..26 ipv4-addr:value = '198.51.100.1'
    /// ```
    pub fn dump(&self) -> String {
        let mut out = String::new();
        obs(&mut out, &self.root, 0);
        out
    }
}

fn line(out: &mut String, depth: usize, text: &str, span: &Span) {
    let _ = writeln!(
        out,
        "{:indent$}{text} {}..{}",
        "",
        span.start,
        span.end,
        indent = depth * 2
    );
}

fn obs(out: &mut String, e: &ObservationExpr, depth: usize) {
    match &e.kind {
        ObservationKind::Comparison(c) => {
            line(out, depth, "Observation", &e.span);
            cmp(out, c, depth + 1);
        }
        ObservationKind::Group(inner) => {
            line(out, depth, "Group", &e.span);
            obs(out, inner, depth + 1);
        }
        ObservationKind::And(items)
        | ObservationKind::Or(items)
        | ObservationKind::FollowedBy(items) => {
            let name = match &e.kind {
                ObservationKind::And(_) => "And",
                ObservationKind::Or(_) => "Or",
                _ => "FollowedBy",
            };
            line(out, depth, name, &e.span);
            for item in items {
                obs(out, item, depth + 1);
            }
        }
        ObservationKind::Qualified { inner, qualifiers } => {
            line(out, depth, "Qualified", &e.span);
            obs(out, inner, depth + 1);
            for q in qualifiers {
                let text = match &q.kind {
                    QualifierKind::Within(Seconds::Int(n)) => format!("Within {n} seconds"),
                    QualifierKind::Within(Seconds::Float(f)) => format!("Within {f:?} seconds"),
                    QualifierKind::Repeats(n) => format!("Repeats {n} times"),
                    QualifierKind::StartStop { start, stop } => {
                        format!("Start {start} stop {stop}")
                    }
                };
                line(out, depth + 1, &text, &q.span);
            }
        }
    }
}

fn cmp(out: &mut String, e: &ComparisonExpr, depth: usize) {
    match &e.kind {
        ComparisonKind::And(items) | ComparisonKind::Or(items) => {
            line(
                out,
                depth,
                if matches!(e.kind, ComparisonKind::And(_)) {
                    "And"
                } else {
                    "Or"
                },
                &e.span,
            );
            for item in items {
                cmp(out, item, depth + 1);
            }
        }
        ComparisonKind::Group(inner) => {
            line(out, depth, "Group", &e.span);
            cmp(out, inner, depth + 1);
        }
        ComparisonKind::Test(t) => line(out, depth, &format!("Test {}", test_text(t)), &e.span),
    }
}

fn test_text(t: &PropTest) -> String {
    let path = path_text(&t.path);
    let not = if t.negated { "NOT " } else { "" };
    match &t.op {
        TestOp::Exists => format!("{not}EXISTS {path}"),
        TestOp::Compare(op, lit) => {
            format!("{path} {not}{} {}", op.as_str(), literal_text(&lit.value))
        }
        TestOp::In(items) => {
            let items: Vec<String> = items.iter().map(|l| literal_text(&l.value)).collect();
            format!("{path} {not}IN ({})", items.join(", "))
        }
        TestOp::Like(s) => format!("{path} {not}LIKE {}", quote(&s.value)),
        TestOp::Matches(s) => format!("{path} {not}MATCHES {}", quote(&s.value)),
        TestOp::IsSubset(s) => format!("{path} {not}ISSUBSET {}", quote(&s.value)),
        TestOp::IsSuperset(s) => format!("{path} {not}ISSUPERSET {}", quote(&s.value)),
    }
}

/// The path written back canonically: quoted keys stay quoted.
pub(crate) fn path_text(p: &ObjectPath) -> String {
    let mut out = format!("{}:", p.object_type);
    for (i, step) in p.steps.iter().enumerate() {
        match &step.kind {
            PathStepKind::Key { name, quoted } => {
                if i > 0 {
                    out.push('.');
                }
                if *quoted {
                    out.push_str(&quote(name))
                } else {
                    out.push_str(name)
                }
            }
            PathStepKind::Index(n) => {
                let _ = write!(out, "[{n}]");
            }
            PathStepKind::AnyIndex => out.push_str("[*]"),
        }
    }
    out
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn literal_text(v: &LiteralValue) -> String {
    match v {
        LiteralValue::Int(n) => n.to_string(),
        LiteralValue::Float(f) => format!("{f:?}"),
        LiteralValue::Str(s) => quote(s),
        LiteralValue::Bool(b) => b.to_string(),
        LiteralValue::Timestamp(t) => format!("t'{t}'"),
        LiteralValue::Hex(bytes) => format!("h'{}'", hex(bytes)),
        LiteralValue::Binary(bytes) => format!("binary[{}]", hex(bytes)),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
