//! Which phase of a request an error came from: parsing, validation, or execution.
//!
//! async-graphql's own parse and validation errors carry no `extensions.code`; clients
//! of the GraphQL-over-HTTP ecosystem expect `GRAPHQL_PARSE_FAILED` and
//! `GRAPHQL_VALIDATION_FAILED` there. The endpoint also needs to know whether execution
//! started at all: under `application/graphql-response+json` a request that never
//! executed is a 400 without a `data` entry, and one that did is a 200.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    Response, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
    },
    parser::types::ExecutableDocument,
};

/// `extensions.code` of a document that is not valid GraphQL syntax.
pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// `extensions.code` of a document the schema refuses (unknown fields, wrong argument
/// types, variables of the wrong type where they are used, limits).
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
/// `extensions.code` when the operation to run cannot be chosen (an unknown
/// `operationName`, or none given for a document with several operations).
pub const OPERATION_RESOLUTION_FAILED: &str = "OPERATION_RESOLUTION_FAILURE";
/// `extensions.code` of variables that do not fit their declared types.
pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";

/// Per-request flag, set when execution begins (after parsing, validation and the
/// choice of operation succeeded).
#[derive(Debug, Default, Clone)]
pub struct ExecutionStarted(Arc<AtomicBool>);

impl ExecutionStarted {
    pub fn started(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Gives `code` to every error that has none yet (codes set closer to the cause, such
/// as the cost guard's BAD_USER_INPUT, are kept).
pub fn label(errors: &mut [ServerError], code: &'static str) {
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", code);
        }
    }
}

/// The schema extension that labels parse and validation errors and records the start
/// of execution in the request's [`ExecutionStarted`].
pub struct Phases;

struct PhasesExtension;

impl ExtensionFactory for Phases {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PhasesExtension)
    }
}

#[async_trait::async_trait]
impl Extension for PhasesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|mut error| {
            // async-graphql's parse step also enforces recursion and directive limits on
            // a document that parsed: those are refusals of a valid document.
            let code = if async_graphql::parser::parse_query(query).is_err() {
                PARSE_FAILED
            } else {
                VALIDATION_FAILED
            };
            label(std::slice::from_mut(&mut error), code);
            error
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            label(&mut errors, VALIDATION_FAILED);
            errors
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(started) = ctx.data_opt::<ExecutionStarted>() {
            started.0.store(true, Ordering::Release);
        }
        next.run(ctx, operation_name).await
    }
}
