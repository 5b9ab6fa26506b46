//! The one edge where every text input is checked: NUL and other control characters
//! (anything but tab, line feed and carriage return) are refused in every string a
//! request carries, in its variables and in the document's own literals, before any
//! resolver runs. A NUL truncates strings in C libraries and PostgreSQL refuses it in
//! text, and invisible controls make look-alike names and break logs, CSV exports and
//! invoices, so no field wants them and none need be checked one by one.

use async_graphql::{
    ErrorExtensions, ServerError, ServerResult, Value, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{Directive, ExecutableDocument, Selection, SelectionSet},
};

/// Whether a character may appear in a text input.
pub fn allowed_in_text(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

fn refusal(place: &str) -> ServerError {
    async_graphql::Error::new(format!(
        "{place} contains a NUL or control character; text inputs may hold tab, line feed \
         and carriage return but no other control character"
    ))
    .extend_with(|_, extensions| {
        extensions.set("code", "BAD_USER_INPUT");
    })
    .into_server_error(async_graphql::Pos::default())
}

/// Checks a (constant) value, naming it `place` in the refusal.
fn check_const(value: &Value, place: &str) -> ServerResult<()> {
    match value {
        Value::String(text) if !text.chars().all(allowed_in_text) => Err(refusal(place)),
        Value::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(n, item)| check_const(item, &format!("{place}.{n}"))),
        Value::Object(fields) => fields.iter().try_for_each(|(name, item)| {
            if name.chars().all(allowed_in_text) {
                check_const(item, &format!("{place}.{name}"))
            } else {
                Err(refusal(place))
            }
        }),
        _ => Ok(()),
    }
}

/// Checks the arguments of a field or directive. A literal is checked as the constant it
/// is with its variables taken as null (they are checked as variables). A macro, because
/// async-graphql does not export the parser's literal type to name in a signature.
macro_rules! check_arguments {
    ($arguments:expr, $owner:expr) => {
        $arguments.iter().try_for_each(|(name, value)| {
            let constant = value
                .node
                .clone()
                .into_const_with(|_| Ok::<_, std::convert::Infallible>(Value::Null))
                .unwrap_or(Value::Null);
            check_const(&constant, &format!("argument {}.{}", $owner, name.node))
        })
    };
}

fn check_directives(directives: &[async_graphql::Positioned<Directive>]) -> ServerResult<()> {
    directives.iter().try_for_each(|directive| {
        check_arguments!(directive.node.arguments, directive.node.name.node)
    })
}

/// Every literal of a selection set; fragments are checked once each, where they are
/// defined, never at their spreads.
fn check_selection(set: &SelectionSet) -> ServerResult<()> {
    set.items
        .iter()
        .try_for_each(|selection| match &selection.node {
            Selection::Field(field) => {
                check_arguments!(field.node.arguments, field.node.name.node)?;
                check_directives(&field.node.directives)?;
                check_selection(&field.node.selection_set.node)
            }
            Selection::InlineFragment(inline) => {
                check_directives(&inline.node.directives)?;
                check_selection(&inline.node.selection_set.node)
            }
            Selection::FragmentSpread(spread) => check_directives(&spread.node.directives),
        })
}

fn check_document(document: &ExecutableDocument) -> ServerResult<()> {
    for (_, operation) in document.operations.iter() {
        check_directives(&operation.node.directives)?;
        for variable in &operation.node.variable_definitions {
            if let Some(default) = &variable.node.default_value {
                check_const(
                    &default.node,
                    &format!("variable ${}", variable.node.name.node),
                )?;
            }
        }
        check_selection(&operation.node.selection_set.node)?;
    }
    for fragment in document.fragments.values() {
        check_directives(&fragment.node.directives)?;
        check_selection(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

/// The extension that applies the check to every request.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextInputGuard;

struct TextInputGuardExtension;

impl ExtensionFactory for TextInputGuard {
    fn create(&self) -> std::sync::Arc<dyn Extension> {
        std::sync::Arc::new(TextInputGuardExtension)
    }
}

#[async_trait::async_trait]
impl Extension for TextInputGuardExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        for (name, value) in variables.iter() {
            check_const(value, &format!("variable ${name}"))?;
        }
        let document = next.run(ctx, query, variables).await?;
        check_document(&document)?;
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str) -> Result<(), String> {
        check_document(&async_graphql::parser::parse_query(query).unwrap()).map_err(|e| e.message)
    }

    #[test]
    fn control_characters_are_refused_in_literals_anywhere() {
        assert!(check("{ products(district: \"Leh\\tNubra\\n\") { totalCount } }").is_ok());
        for query in [
            "{ product(slug: \"a\\u0000b\") { id } }",
            "mutation { register(input: { name: \"x\\u001b[31m\", email: \"e\", password: \"p\" }) { __typename } }",
            "query { ...F } fragment F on Query { product(slug: \"\\u007f\") { id } }",
            "query($s: String = \"\\u0000\") { product(slug: $s) { id } }",
            "{ products(filter: { tags: [\"ok\", \"b\\u0085d\"] }) { totalCount } }",
        ] {
            assert!(check(query).is_err(), "{query} should be refused");
        }
    }

    #[test]
    fn control_characters_are_refused_in_variables() {
        let nested = serde_json::json!({ "input": { "lines": [{ "name": "fine" }, { "name": "nul\u{0}" }] } });
        let variables = Variables::from_json(nested);
        let refused = variables
            .iter()
            .try_for_each(|(name, value)| check_const(value, &format!("variable ${name}")));
        assert!(refused.is_err_and(|e| e.message.starts_with("variable $input.lines.1.name")),);
    }
}
