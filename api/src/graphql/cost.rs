//! The shape of a document, measured before it is validated or executed.
//!
//! async-graphql's own depth and complexity limits walk the document with every fragment
//! spread inlined, so fragments that spread each other twice per level (the "fragment
//! ladder") cost 2^n steps before either limit can answer: minutes of a worker for a
//! request of a few hundred bytes. Here each fragment is measured once and its numbers
//! reused at every spread, so the whole document costs one pass over its text. A
//! document is refused (BAD_USER_INPUT) when, with fragments expanded, it selects too
//! many fields, nests too deep, or chains fragments too deep; and when one selection
//! has too many aliases or an operation too many root fields. What passes is small
//! enough for async-graphql's validation and complexity (which counts connection pages)
//! to run in bounded time after it. The limits are in docs/SECURITY.md ("Limits").

use std::collections::HashMap;

use async_graphql::{
    ErrorExtensions, ServerError, ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// Fields selected by one document, every fragment spread expanded.
pub const MAX_FIELDS: usize = 2_000;
/// Aliased fields in one selection set (an alias repeats a field's work).
pub const MAX_ALIASES_PER_SELECTION: usize = 30;
/// Fields at the root of one operation, fragments expanded (each is its own query).
pub const MAX_ROOT_FIELDS: usize = 20;
/// Operations in one document.
pub const MAX_OPERATIONS_PER_DOCUMENT: usize = 10;
/// Fragments spread within fragments, this deep at most.
pub const MAX_FRAGMENT_NESTING: usize = 16;
/// Requests in one batch (`[{query}, …]`).
pub const MAX_BATCH_OPERATIONS: usize = 10;

/// What one selection set amounts to, fragments expanded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Shape {
    /// Fields selected at every level below and including this one.
    fields: usize,
    /// Fields at this level (the root fields when this is an operation's).
    direct: usize,
    /// The deepest field nesting, counting this level's fields as 1.
    depth: usize,
}

struct Measure<'a> {
    document: &'a ExecutableDocument,
    max_depth: usize,
    /// Fragments already measured; `None` while one is being measured (a cycle).
    fragments: HashMap<&'a str, Option<Shape>>,
}

fn refusal(message: String) -> ServerError {
    async_graphql::Error::new(message)
        .extend_with(|_, extensions| {
            extensions.set("code", "BAD_USER_INPUT");
        })
        .into_server_error(async_graphql::Pos::default())
}

impl<'a> Measure<'a> {
    fn selection(&mut self, set: &'a SelectionSet, nesting: usize) -> ServerResult<Shape> {
        let mut shape = Shape::default();
        let mut aliases = 0_usize;
        for selection in &set.items {
            let part = match &selection.node {
                Selection::Field(field) => {
                    if field.node.alias.is_some() {
                        aliases += 1;
                    }
                    let below = self.selection(&field.node.selection_set.node, nesting)?;
                    // Introspection's `ofType` unwraps a list or non-null wrapper: one
                    // object, never a fan-out, and the chain is as long as the schema's
                    // deepest wrapping. GraphiQL's introspection query nests it nine
                    // times, so it does not count towards the depth limit.
                    let level = usize::from(field.node.name.node.as_str() != "ofType");
                    Shape {
                        fields: below.fields.saturating_add(1),
                        direct: 1,
                        depth: below.depth.saturating_add(level),
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.selection(&inline.node.selection_set.node, nesting)?
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str(), nesting + 1)?
                }
            };
            shape.fields = shape.fields.saturating_add(part.fields);
            shape.direct = shape.direct.saturating_add(part.direct);
            shape.depth = shape.depth.max(part.depth);
            if shape.fields > MAX_FIELDS {
                return Err(refusal(format!(
                    "the query is too complex: it selects more than {MAX_FIELDS} fields (fragments expanded)"
                )));
            }
            if shape.depth > self.max_depth {
                return Err(refusal(format!(
                    "the query is nested too deep: more than {} levels",
                    self.max_depth
                )));
            }
        }
        if aliases > MAX_ALIASES_PER_SELECTION {
            return Err(refusal(format!(
                "at most {MAX_ALIASES_PER_SELECTION} aliases in one selection"
            )));
        }
        Ok(shape)
    }

    fn fragment(&mut self, name: &'a str, nesting: usize) -> ServerResult<Shape> {
        match self.fragments.get(name) {
            Some(Some(shape)) => return Ok(*shape),
            Some(None) => return Err(refusal(format!("fragment {name} spreads itself"))),
            None => {}
        }
        if nesting > MAX_FRAGMENT_NESTING {
            return Err(refusal(format!(
                "fragments are spread within each other more than {MAX_FRAGMENT_NESTING} deep"
            )));
        }
        // An unknown fragment is validation's to report; it selects nothing here.
        let Some(definition) = self.document.fragments.get(name) else {
            return Ok(Shape::default());
        };
        self.fragments.insert(name, None);
        let shape = self.selection(&definition.node.selection_set.node, nesting)?;
        self.fragments.insert(name, Some(shape));
        Ok(shape)
    }
}

/// Refuses a document whose expanded shape is over the limits; linear in its size.
pub fn check_document(document: &ExecutableDocument, max_depth: usize) -> ServerResult<()> {
    let operations: Vec<_> = document.operations.iter().collect();
    if operations.len() > MAX_OPERATIONS_PER_DOCUMENT {
        return Err(refusal(format!(
            "at most {MAX_OPERATIONS_PER_DOCUMENT} operations in one document"
        )));
    }
    let mut measure = Measure {
        document,
        max_depth,
        fragments: HashMap::new(),
    };
    let mut fields = 0_usize;
    for (_, operation) in operations {
        let shape = measure.selection(&operation.node.selection_set.node, 0)?;
        if shape.direct > MAX_ROOT_FIELDS {
            return Err(refusal(format!(
                "at most {MAX_ROOT_FIELDS} root fields in one operation"
            )));
        }
        fields = fields.saturating_add(shape.fields);
        if fields > MAX_FIELDS {
            return Err(refusal(format!(
                "the query is too complex: it selects more than {MAX_FIELDS} fields (fragments expanded)"
            )));
        }
    }
    // Fragments no operation uses are still validated (and walked) by async-graphql.
    for name in document.fragments.keys() {
        measure.fragment(name.as_str(), 0)?;
    }
    Ok(())
}

/// The names of the fields at the root of every operation of a document, with
/// fragments at the root expanded (each named fragment once: a spread repeated at the
/// root is counted by the root-field limit, not here), in document order. Run after
/// [`check_document`], so the document is small and free of fragment cycles.
pub fn root_fields(document: &ExecutableDocument) -> Vec<&str> {
    fn walk<'a>(
        document: &'a ExecutableDocument,
        set: &'a SelectionSet,
        seen: &mut Vec<&'a str>,
        names: &mut Vec<&'a str>,
    ) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => names.push(field.node.name.node.as_str()),
                Selection::InlineFragment(inline) => {
                    walk(document, &inline.node.selection_set.node, seen, names);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if seen.contains(&name) {
                        continue;
                    }
                    seen.push(name);
                    if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                    {
                        walk(document, &fragment.node.selection_set.node, seen, names);
                    }
                }
            }
        }
    }
    let mut names = Vec::new();
    for (_, operation) in document.operations.iter() {
        let mut seen = Vec::new();
        walk(
            document,
            &operation.node.selection_set.node,
            &mut seen,
            &mut names,
        );
    }
    names
}

/// The schema extension that runs [`check_document`] when a request is parsed, before
/// async-graphql's own checks, validation and execution.
pub struct CostGuard {
    pub max_depth: usize,
}

struct CostGuardExtension {
    max_depth: usize,
}

impl ExtensionFactory for CostGuard {
    fn create(&self) -> std::sync::Arc<dyn Extension> {
        std::sync::Arc::new(CostGuardExtension {
            max_depth: self.max_depth,
        })
    }
}

#[async_trait::async_trait]
impl Extension for CostGuardExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // Measured on a parse of our own, before `next`: async-graphql's parse step also
        // checks recursion depth and directives by walking every spread inlined, which
        // is exponential on a fragment ladder. A syntax error is left to `next` to report.
        if let Ok(document) = async_graphql::parser::parse_query(query) {
            check_document(&document, self.max_depth)?;
            // The same parse tells the rate limits what the request would run.
            if let Some(gate) = ctx.data_opt::<std::sync::Arc<crate::http::rate_limit::Gate>>() {
                gate.admit(root_fields(&document)).map_err(|message| {
                    async_graphql::Error::new(message)
                        .extend_with(|_, extensions| extensions.set("code", "RATE_LIMITED"))
                        .into_server_error(async_graphql::Pos::default())
                })?;
            }
        }
        next.run(ctx, query, variables).await
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn check(query: &str) -> Result<(), String> {
        check_document(&parse_query(query).unwrap(), 12).map_err(|e| e.message)
    }

    fn ladder(levels: usize) -> String {
        let mut query = String::from("{ ...F0 } fragment F0 on Query { categories { slug } }");
        for level in 1..=levels {
            query.push_str(&format!(
                " fragment F{level} on Query {{ ...F{} ...F{} }}",
                level - 1,
                level - 1
            ));
        }
        query.replacen("...F0 }", &format!("...F{levels} }}"), 1)
    }

    #[test]
    fn a_fragment_ladder_is_measured_once_per_fragment() {
        assert_eq!(check(&ladder(4)), Ok(()));
        let started = std::time::Instant::now();
        let refused = check(&ladder(60)).unwrap_err();
        assert!(refused.contains("fragments"), "{refused}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn expanded_fields_count() {
        // 11 levels of doubling: 2^11 * 2 fields, under the nesting limit.
        let refused = check(&ladder(11)).unwrap_err();
        assert!(refused.contains("more than 2000 fields"), "{refused}");
    }

    #[test]
    fn aliases_roots_depth_operations_and_cycles_are_bounded() {
        let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
        assert!(
            check(&format!("{{ {aliases} }}"))
                .unwrap_err()
                .contains("aliases")
        );
        let roots: String = (0..21)
            .map(|i| format!("c{i}: categories {{ slug }} "))
            .collect();
        assert!(
            check(&format!("{{ {roots} }}"))
                .unwrap_err()
                .contains("root fields")
        );
        let roots: String = (0..21).map(|_| "categories { slug } ").collect();
        assert!(
            check(&format!("{{ {roots} }}"))
                .unwrap_err()
                .contains("root fields")
        );
        let deep = format!("{{ {} slug {} }}", "a { ".repeat(12), "} ".repeat(12));
        assert!(check(&deep).unwrap_err().contains("nested too deep"));
        let operations: String = (0..11)
            .map(|i| format!("query q{i} {{ __typename }} "))
            .collect();
        assert!(check(&operations).unwrap_err().contains("operations"));
        let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert!(check(cycle).unwrap_err().contains("spreads itself"));
        assert_eq!(
            check("{ a: categories { slug } b: categories { slug } }"),
            Ok(())
        );
    }
}
