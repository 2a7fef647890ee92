//! Contract tests: the route table in `shared/src/routes.rs` is the single source of truth,
//! and every other description of the API must agree with it exactly:
//!   (a) `openapi.yaml`: every operation's (method, path, `x-lambda-function`);
//!   (b) `template.yaml`: every `HttpApi` event's (Method, Path) on a function whose
//!       `Metadata.BuildProperties.Binary` names the function;
//!   (c) `local/src/dispatch.rs::MOUNTED`: every function of the table is mounted locally;
//!   (d) the root `Cargo.toml`'s `[workspace.metadata.lambda.watch.router]` (the routes
//!       `cargo lambda watch` serves).
//! These need no database or broker: they only read files.

use bilheteria::routes::{self, ROUTES};
use bilheteria_local::dispatch::MOUNTED;
use serde_yaml::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

type Triple = (String, String, String);

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn yaml(relative: &str) -> Value {
    serde_yaml::from_str(&read(relative)).unwrap_or_else(|e| panic!("parsing {relative}: {e}"))
}

/// The route table as (METHOD, path, function).
fn table() -> BTreeSet<Triple> {
    ROUTES.iter().map(|r| (r.method.to_string(), r.path.to_string(), r.function.to_string())).collect()
}

/// A CloudFormation short-form tag (`!Ref X`, `!Sub ..`, `!GetAtt a.b`) parses as a tagged
/// value: look through the tag to the value it carries.
fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => untag(&t.value),
        other => other,
    }
}

fn str_of(v: Option<&Value>) -> Option<&str> {
    v.map(untag).and_then(Value::as_str)
}

/// Describes what is in one set and not the other, for a readable failure.
fn assert_same(what: &str, expected: &BTreeSet<Triple>, found: &BTreeSet<Triple>) {
    let missing: Vec<_> = expected.difference(found).collect();
    let extra: Vec<_> = found.difference(expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what} disagrees with the route table (shared/src/routes.rs)\n  in the route table but not in {what}: {missing:#?}\n  in {what} but not in the route table: {extra:#?}"
    );
}

fn openapi_operations(doc: &Value) -> BTreeSet<Triple> {
    let paths = doc.get("paths").and_then(Value::as_mapping).expect("openapi.yaml has paths");
    let mut out = BTreeSet::new();
    for (path, item) in paths {
        let path = path.as_str().expect("a path is a string");
        let item = item.as_mapping().unwrap_or_else(|| panic!("{path}: not a mapping"));
        for (method, op) in item {
            let method = method.as_str().unwrap_or_default();
            if !matches!(method, "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace") {
                continue; // parameters, summary, description, servers
            }
            let function = str_of(op.get("x-lambda-function"))
                .unwrap_or_else(|| panic!("{} {path}: no x-lambda-function", method.to_uppercase()));
            out.insert((method.to_uppercase(), path.to_string(), function.to_string()));
        }
    }
    out
}

fn template_http_events(doc: &Value) -> BTreeSet<Triple> {
    let resources = doc.get("Resources").and_then(Value::as_mapping).expect("template.yaml has Resources");
    let mut out = BTreeSet::new();
    for (name, resource) in resources {
        let name = name.as_str().unwrap_or_default();
        if str_of(resource.get("Type")) != Some("AWS::Serverless::Function") {
            continue;
        }
        let Some(events) = resource.get("Properties").and_then(|p| p.get("Events")).and_then(Value::as_mapping) else {
            continue;
        };
        for (event_name, event) in events {
            if str_of(event.get("Type")) != Some("HttpApi") {
                continue;
            }
            let where_ = format!("{name}.Events.{}", event_name.as_str().unwrap_or("?"));
            let binary =
                str_of(resource.get("Metadata").and_then(|m| m.get("BuildProperties")).and_then(|b| b.get("Binary")))
                    .unwrap_or_else(|| panic!("{name}: an HttpApi function without Metadata.BuildProperties.Binary"));
            let props = event.get("Properties").unwrap_or_else(|| panic!("{where_}: no Properties"));
            let path = str_of(props.get("Path")).unwrap_or_else(|| panic!("{where_}: no Path"));
            let method = str_of(props.get("Method")).unwrap_or_else(|| panic!("{where_}: no Method"));
            out.insert((method.to_uppercase(), path.to_string(), binary.to_string()));
        }
    }
    out
}

/// `cargo lambda watch` routes: path → "function" (any method) or a list of
/// `{ method, function }`. Paths use matchit's `{param}` syntax, as API Gateway does.
fn watch_router(manifest: &toml_like::Table) -> BTreeSet<Triple> {
    let mut out = BTreeSet::new();
    for (path, value) in manifest {
        match value {
            toml_like::Route::Any(function) => {
                out.insert(("*".to_string(), path.clone(), function.clone()));
            }
            toml_like::Route::Methods(list) => {
                for (method, function) in list {
                    out.insert((method.to_uppercase(), path.clone(), function.clone()));
                }
            }
        }
    }
    out
}

/// A minimal reader for the one TOML table we need, so the test needs no TOML crate: it
/// takes the `[workspace.metadata.lambda.watch.router]` section, whose entries are
/// `"path" = "function"` or `"path" = [ { method = "GET", function = "f" }, ... ]` (the list
/// may span several lines).
mod toml_like {
    pub enum Route {
        Any(String),
        Methods(Vec<(String, String)>),
    }
    pub type Table = Vec<(String, Route)>;

    pub fn router_section(manifest: &str) -> Option<Table> {
        let mut lines = manifest.lines().skip_while(|l| l.trim() != "[workspace.metadata.lambda.watch.router]");
        lines.next()?;
        let body: Vec<&str> = lines.take_while(|l| !l.trim_start().starts_with('[') || l.contains('=')).collect();
        // Join continuation lines of multi-line arrays.
        let mut entries: Vec<String> = Vec::new();
        let mut depth = 0i32;
        for line in body {
            let line = strip_comment(line);
            if line.trim().is_empty() {
                continue;
            }
            if depth == 0 {
                entries.push(String::new());
            }
            let current = entries.last_mut().expect("an entry");
            current.push_str(line.trim());
            current.push(' ');
            depth += line.matches('[').count() as i32 - line.matches(']').count() as i32;
        }
        let mut table = Vec::new();
        for entry in entries {
            let (key, value) = entry.split_once('=').unwrap_or_else(|| panic!("not a key = value line: {entry}"));
            let key = unquote(key.trim());
            let value = value.trim();
            if value.starts_with('"') {
                table.push((key, Route::Any(unquote(value))));
            } else {
                let mut list = Vec::new();
                for inline in value.split('{').skip(1) {
                    let inline = inline.split('}').next().unwrap_or_default();
                    let mut method = None;
                    let mut function = None;
                    for field in inline.split(',') {
                        if let Some((k, v)) = field.split_once('=') {
                            match k.trim() {
                                "method" => method = Some(unquote(v.trim())),
                                "function" => function = Some(unquote(v.trim())),
                                other => panic!("{key}: unexpected field {other}"),
                            }
                        }
                    }
                    list.push((
                        method.unwrap_or_else(|| panic!("{key}: a route without method")),
                        function.unwrap_or_else(|| panic!("{key}: a route without function")),
                    ));
                }
                table.push((key, Route::Methods(list)));
            }
        }
        Some(table)
    }

    fn strip_comment(line: &str) -> &str {
        // No '#' occurs inside the strings of this table.
        line.split('#').next().unwrap_or_default()
    }

    fn unquote(s: &str) -> String {
        s.trim().trim_matches('"').to_string()
    }
}

#[test]
fn openapi_operations_match_the_route_table() {
    assert_same("openapi.yaml", &table(), &openapi_operations(&yaml("openapi.yaml")));
}

#[test]
fn template_http_api_events_match_the_route_table() {
    assert_same("template.yaml", &table(), &template_http_events(&yaml("template.yaml")));
}

#[test]
fn every_function_of_the_route_table_is_mounted_locally() {
    let missing: Vec<&str> = routes::http_functions().into_iter().filter(|f| !MOUNTED.contains(f)).collect();
    assert!(missing.is_empty(), "functions in the route table but not in local/src/dispatch.rs MOUNTED: {missing:?}");
    let unknown: Vec<&&str> = MOUNTED.iter().filter(|f| !routes::http_functions().contains(f)).collect();
    assert!(unknown.is_empty(), "MOUNTED names functions that serve no route: {unknown:?}");
}

#[test]
fn the_cargo_lambda_watch_router_matches_the_route_table() {
    let manifest = read("Cargo.toml");
    let router = toml_like::router_section(&manifest)
        .expect("the root Cargo.toml has a [workspace.metadata.lambda.watch.router] section");
    assert_same("[workspace.metadata.lambda.watch.router]", &table(), &watch_router(&router));
}

#[test]
fn the_contract_readers_see_tagged_values_and_every_route() {
    // Guards the readers themselves: a tag is looked through, and the table is not empty.
    let tagged: Value = serde_yaml::from_str("a: !Ref Thing").expect("yaml");
    assert_eq!(str_of(tagged.get("a")), Some("Thing"));
    assert_eq!(table().len(), ROUTES.len(), "two routes share method and path");
}
