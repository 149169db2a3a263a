//! References (`${params.x}`, `${steps.a.outputs.field}`, `${item}`, `${index}`) and the small
//! boolean language of `when`. A string that is exactly one reference becomes the referenced
//! JSON value (a list stays a list); a reference inside a longer string is spliced in as text.

use serde_json::Value;

/// What a `${...}` names.
#[derive(Debug, Clone, PartialEq)]
pub enum Ref {
    Param(String, Vec<String>),
    /// A step's outputs, then a path into them (empty: all of them).
    Outputs(String, Vec<String>),
    Item(Vec<String>),
    Index,
}

/// Parse the inside of `${...}`.
pub fn parse_ref(s: &str) -> Result<Ref, String> {
    let parts: Vec<&str> = s.trim().split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("bad reference ${{{s}}}"));
    }
    let rest = |from: usize| parts[from..].iter().map(|p| p.to_string()).collect();
    match parts.as_slice() {
        ["params", name, ..] => Ok(Ref::Param(name.to_string(), rest(2))),
        ["steps", step, "outputs", ..] => Ok(Ref::Outputs(step.to_string(), rest(3))),
        ["item", ..] => Ok(Ref::Item(rest(1))),
        ["index"] => Ok(Ref::Index),
        _ => Err(format!(
            "bad reference ${{{s}}}: expected ${{params.NAME}}, ${{steps.ID.outputs}}, \
             ${{steps.ID.outputs.FIELD}}, ${{item}} or ${{index}}"
        )),
    }
}

/// Every reference in a string, with the byte range of its `${...}`.
fn spans(s: &str) -> Result<Vec<(usize, usize, Ref)>, String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = s[from..].find("${").map(|i| i + from) {
        let Some(len) = s[start..].find('}') else {
            return Err(format!("unclosed ${{ in {s:?}"));
        };
        let end = start + len + 1;
        out.push((start, end, parse_ref(&s[start + 2..end - 1])?));
        from = end;
    }
    Ok(out)
}

/// Every reference anywhere in a JSON value (strings, list items, object values).
pub fn refs_in(v: &Value, out: &mut Vec<Ref>) -> Result<(), String> {
    match v {
        Value::String(s) => out.extend(spans(s)?.into_iter().map(|(_, _, r)| r)),
        Value::Array(a) => {
            for x in a {
                refs_in(x, out)?;
            }
        }
        Value::Object(o) => {
            for x in o.values() {
                refs_in(x, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// What references resolve against.
pub struct Scope<'a> {
    pub params: &'a serde_json::Map<String, Value>,
    pub outputs: &'a dyn Fn(&str) -> Option<Value>,
    pub item: Option<&'a Value>,
    pub index: Option<usize>,
}

fn walk(mut v: Value, path: &[String], what: &str) -> Result<Value, String> {
    for (i, field) in path.iter().enumerate() {
        v = match v {
            Value::Object(mut o) => o.remove(field),
            Value::Array(a) => field
                .parse::<usize>()
                .ok()
                .and_then(|n| a.into_iter().nth(n)),
            _ => None,
        }
        .ok_or_else(|| format!("{what} has no field {:?}", path[..=i].join(".")))?;
    }
    Ok(v)
}

pub fn resolve(r: &Ref, scope: &Scope) -> Result<Value, String> {
    match r {
        Ref::Param(name, path) => {
            let v = scope
                .params
                .get(name)
                .cloned()
                .ok_or_else(|| format!("no param {name:?}"))?;
            walk(v, path, &format!("param {name}"))
        }
        Ref::Outputs(step, path) => {
            let v = (scope.outputs)(step).ok_or_else(|| format!("step {step:?} has no outputs"))?;
            walk(v, path, &format!("the outputs of step {step}"))
        }
        Ref::Item(path) => {
            let v = scope.item.cloned().ok_or("${item} outside a map step")?;
            walk(v, path, "${item}")
        }
        Ref::Index => scope
            .index
            .map(Value::from)
            .ok_or_else(|| "${index} outside a map step".to_string()),
    }
}

/// Substitute every reference in `v`.
pub fn substitute(v: &Value, scope: &Scope) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => {
            let found = spans(s)?;
            match found.as_slice() {
                [] => v.clone(),
                [(0, end, r)] if *end == s.len() => resolve(r, scope)?,
                _ => {
                    let mut text = String::with_capacity(s.len());
                    let mut at = 0;
                    for (start, end, r) in &found {
                        text.push_str(&s[at..*start]);
                        match resolve(r, scope)? {
                            Value::String(x) => text.push_str(&x),
                            other => text.push_str(&other.to_string()),
                        }
                        at = *end;
                    }
                    text.push_str(&s[at..]);
                    Value::String(text)
                }
            }
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| substitute(x, scope))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), substitute(x, scope)?)))
                .collect::<Result<_, String>>()?,
        ),
        _ => v.clone(),
    })
}

/// A parsed `when` expression.
#[derive(Debug, Clone)]
pub enum Expr {
    Lit(Value),
    Ref(Ref),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Box<Expr>, &'static str, Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ref(Ref),
    Lit(Value),
    Op(&'static str),
    Open,
    Close,
}

fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let rest = &s[i..];
        if rest.starts_with("${") {
            let end = rest.find('}').ok_or("unclosed ${")?;
            out.push(Tok::Ref(parse_ref(&rest[2..end])?));
            i += end + 1;
            continue;
        }
        if let Some(op) = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!"]
            .into_iter()
            .find(|op| rest.starts_with(op))
        {
            out.push(Tok::Op(op));
            i += op.len();
            continue;
        }
        match c {
            '(' => out.push(Tok::Open),
            ')' => out.push(Tok::Close),
            '"' | '\'' => {
                let end = rest[1..]
                    .find(c)
                    .ok_or_else(|| format!("unclosed string in {s:?}"))?;
                out.push(Tok::Lit(Value::String(rest[1..1 + end].to_string())));
                i += end + 2;
                continue;
            }
            _ => {
                let len = rest
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '+')))
                    .unwrap_or(rest.len())
                    .max(1);
                let word = &rest[..len];
                let v = match word {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    w => serde_json::from_str::<serde_json::Number>(w)
                        .map(Value::Number)
                        .map_err(|_| format!("unexpected {w:?} in {s:?}"))?,
                };
                out.push(Tok::Lit(v));
                i += len;
                continue;
            }
        }
        i += 1;
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut l = self.and()?;
        while self.peek() == Some(&Tok::Op("||")) {
            self.at += 1;
            l = Expr::Or(Box::new(l), Box::new(self.and()?));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut l = self.cmp()?;
        while self.peek() == Some(&Tok::Op("&&")) {
            self.at += 1;
            l = Expr::And(Box::new(l), Box::new(self.cmp()?));
        }
        Ok(l)
    }
    fn cmp(&mut self) -> Result<Expr, String> {
        let l = self.unary()?;
        if let Some(Tok::Op(op)) = self.peek().cloned()
            && matches!(op, "==" | "!=" | "<" | "<=" | ">" | ">=")
        {
            self.at += 1;
            return Ok(Expr::Cmp(Box::new(l), op, Box::new(self.unary()?)));
        }
        Ok(l)
    }
    fn unary(&mut self) -> Result<Expr, String> {
        let t = self
            .peek()
            .cloned()
            .ok_or("the expression ends too early")?;
        self.at += 1;
        match t {
            Tok::Op("!") => Ok(Expr::Not(Box::new(self.unary()?))),
            Tok::Open => {
                let e = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err("missing )".into());
                }
                self.at += 1;
                Ok(e)
            }
            Tok::Ref(r) => Ok(Expr::Ref(r)),
            Tok::Lit(v) => Ok(Expr::Lit(v)),
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

pub fn parse_when(s: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: tokens(s)?,
        at: 0,
    };
    let e = p.or()?;
    if p.at != p.toks.len() {
        return Err(format!("unexpected text after the expression in {s:?}"));
    }
    Ok(e)
}

impl Expr {
    pub fn refs(&self, out: &mut Vec<Ref>) {
        match self {
            Expr::Ref(r) => out.push(r.clone()),
            Expr::Not(e) => e.refs(out),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Cmp(a, _, b) => {
                a.refs(out);
                b.refs(out);
            }
            Expr::Lit(_) => {}
        }
    }

    fn value(&self, scope: &Scope) -> Result<Value, String> {
        Ok(match self {
            Expr::Lit(v) => v.clone(),
            Expr::Ref(r) => resolve(r, scope)?,
            Expr::Not(e) => Value::Bool(!truthy(&e.value(scope)?)),
            Expr::And(a, b) => Value::Bool(truthy(&a.value(scope)?) && truthy(&b.value(scope)?)),
            Expr::Or(a, b) => Value::Bool(truthy(&a.value(scope)?) || truthy(&b.value(scope)?)),
            Expr::Cmp(a, op, b) => {
                let (x, y) = (a.value(scope)?, b.value(scope)?);
                let ord = match (&x, &y) {
                    (Value::Number(m), Value::Number(n)) => m.as_f64().partial_cmp(&n.as_f64()),
                    (Value::String(m), Value::String(n)) => Some(m.cmp(n)),
                    _ => None,
                };
                use std::cmp::Ordering::*;
                Value::Bool(match *op {
                    "==" => x == y || ord == Some(Equal),
                    "!=" => !(x == y || ord == Some(Equal)),
                    "<" => ord == Some(Less),
                    "<=" => matches!(ord, Some(Less | Equal)),
                    ">" => ord == Some(Greater),
                    _ => matches!(ord, Some(Greater | Equal)),
                })
            }
        })
    }

    pub fn eval(&self, scope: &Scope) -> Result<bool, String> {
        Ok(truthy(&self.value(scope)?))
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope_eval(when: &str) -> Result<bool, String> {
        let params = json!({"n": 3, "mode": "fast"});
        let outputs = |s: &str| (s == "score").then(|| json!({"ok": true, "items": [1, 2]}));
        let scope = Scope {
            params: params.as_object().unwrap(),
            outputs: &outputs,
            item: None,
            index: None,
        };
        parse_when(when)?.eval(&scope)
    }

    #[test]
    fn when_compares_json_values() {
        assert!(scope_eval("${steps.score.outputs.ok} == true").unwrap());
        assert!(!scope_eval("${steps.score.outputs.ok} != true").unwrap());
        assert!(scope_eval("${params.n} >= 3 && ${params.mode} == 'fast'").unwrap());
        assert!(scope_eval("!(${params.n} < 2) || false").unwrap());
        assert!(scope_eval("${steps.score.outputs.items}").unwrap());
        assert!(scope_eval("${steps.score.outputs.nope} == 1").is_err());
        assert!(parse_when("${params.n} ==").is_err());
        assert!(parse_when("${bogus} == 1").is_err());
    }

    #[test]
    fn a_whole_reference_keeps_its_json_type() {
        let params = json!({"xs": [1, 2], "name": "a"});
        let none = |_: &str| None;
        let scope = Scope {
            params: params.as_object().unwrap(),
            outputs: &none,
            item: Some(&json!({"q": "why"})),
            index: Some(4),
        };
        let v =
            json!({"a": "${params.xs}", "b": "n=${params.name} i=${index}", "c": ["${item.q}"]});
        assert_eq!(
            substitute(&v, &scope).unwrap(),
            json!({"a": [1, 2], "b": "n=a i=4", "c": ["why"]})
        );
    }
}
