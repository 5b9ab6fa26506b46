//! Variable coercion before execution (GraphQL spec, "Coercing Variable Values").
//!
//! async-graphql checks a variable's value only where an argument uses it, so
//! `query ($id: ID!) { __typename }` with `{"id": null}` would run. The spec coerces
//! every variable of the chosen operation first and fails the request without executing
//! it; GraphQL-over-HTTP answers such a failure with 400. Here nullability (lists
//! included) and the built-in scalars are checked for every declared variable; the
//! schema's own input types (enums, input objects, custom scalars) are checked by
//! async-graphql's validation where the variable is used, the only place their value
//! can matter.

use async_graphql::{
    Request, ServerError, Value,
    parser::types::{BaseType, DocumentOperations, Type},
};

/// The first variable of the request's operation whose value does not fit its declared
/// type, as an error; `None` when all fit, or when the document does not parse or names
/// no runnable operation (the executor reports those in its own words).
pub fn variable_error(request: &Request) -> Option<ServerError> {
    let document = async_graphql::parser::parse_query(&request.query).ok()?;
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name)?,
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()?
        }
        (DocumentOperations::Multiple(_), None) => return None,
    };
    operation.node.variable_definitions.iter().find_map(|def| {
        let name = def.node.name.node.as_str();
        let declared = &def.node.var_type.node;
        let problem = match request.variables.get(name) {
            None if declared.nullable || def.node.default_value.is_some() => None,
            None => Some(format!("of required type {declared} was not provided")),
            Some(value) => mismatch(declared, value)
                .map(|reason| format!("got an invalid value for type {declared}: {reason}")),
        }?;
        Some(
            async_graphql::Error::new(format!("Variable ${name} {problem}"))
                .into_server_error(def.pos),
        )
    })
}

/// Why `value` cannot be coerced to `declared`, if it cannot.
fn mismatch(declared: &Type, value: &Value) -> Option<String> {
    if matches!(value, Value::Null) {
        return (!declared.nullable).then(|| "null where a value is required".to_owned());
    }
    match &declared.base {
        // A single value where a list is expected is coerced to a list of one.
        BaseType::List(item) => match value {
            Value::List(items) => items.iter().find_map(|value| mismatch(item, value)),
            single => mismatch(item, single),
        },
        BaseType::Named(name) => {
            let fits = match name.as_str() {
                "Int" => matches!(value, Value::Number(n)
                    if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok())),
                "Float" => matches!(value, Value::Number(_)),
                "String" => matches!(value, Value::String(_)),
                "Boolean" => matches!(value, Value::Boolean(_)),
                "ID" => {
                    matches!(value, Value::String(_))
                        || matches!(value, Value::Number(n) if n.is_i64() || n.is_u64())
                }
                _ => true,
            };
            (!fits).then(|| format!("not a valid {name}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Variables;
    use serde_json::json;

    use super::*;

    fn check(query: &str, variables: serde_json::Value) -> Option<String> {
        let request = Request::new(query).variables(Variables::from_json(variables));
        variable_error(&request).map(|e| e.message)
    }

    #[test]
    fn required_variables_must_be_given_and_not_null() {
        let query = "query Q($id: ID!) { __typename }";
        assert!(check(query, json!({ "id": null })).is_some());
        assert!(check(query, json!({})).is_some());
        assert_eq!(check(query, json!({ "id": "abc" })), None);
        assert_eq!(check(query, json!({ "id": 7 })), None);
        assert_eq!(
            check("query Q($id: ID! = \"x\") { __typename }", json!({})),
            None
        );
        assert_eq!(check("query Q($id: ID) { __typename }", json!({})), None);
    }

    #[test]
    fn built_in_scalars_and_lists_are_checked() {
        let query = "query Q($n: [Int!]) { __typename }";
        assert_eq!(check(query, json!({ "n": [1, 2] })), None);
        assert_eq!(check(query, json!({ "n": 3 })), None);
        assert!(check(query, json!({ "n": [1, null] })).is_some());
        assert!(check(query, json!({ "n": ["one"] })).is_some());
        assert!(check(query, json!({ "n": [4_000_000_000_i64] })).is_some());
        assert!(check("query Q($b: Boolean) { __typename }", json!({ "b": "yes" })).is_some());
    }

    #[test]
    fn only_the_chosen_operation_counts() {
        let query = "query A($x: Int!) { __typename } query B { __typename }";
        let request = Request::new(query).operation_name("B");
        assert!(variable_error(&request).is_none());
        let request = Request::new(query).operation_name("A");
        assert!(variable_error(&request).is_some());
    }
}
