//! Relay cursor connections, built one way for every list: the arguments are checked
//! here ([`PageArgs`] for lists paged both ways, [`ForwardPage`] for forward-only ones),
//! the domain returns a [`Page`], [`connection_from_page`] makes the connection, and
//! every connection field declares `#[graphql(complexity = "connection_complexity(…)")]`
//! so the complexity limit counts its page (a test in `graphql` checks the schema).
//! Cursors are opaque to clients (base64 of a versioned id), page sizes are bounded, and
//! every connection carries `totalCount`.

use async_graphql::{
    Context, SimpleObject,
    connection::{Connection, CursorType, Edge, EmptyFields},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use kernel::{Page, PageRequest};
use uuid::Uuid;

use crate::{
    graphql::{ApiError, context::ContextExt},
    settings::GraphqlSettings,
};

/// An opaque position in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCursor(pub Uuid);

const CURSOR_PREFIX: &str = "v1:";

impl CursorType for IdCursor {
    type Error = ApiError;

    fn decode_cursor(encoded: &str) -> Result<Self, Self::Error> {
        let invalid = || ApiError::BadUserInput("cursor is not valid".to_owned());
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let id = text.strip_prefix(CURSOR_PREFIX).ok_or_else(invalid)?;
        Uuid::parse_str(id).map(IdCursor).map_err(|_| invalid())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{}", self.0))
    }
}

/// Fields every connection carries besides edges and page info.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ConnectionFields {
    /// How many items the whole list holds, across all pages.
    pub total_count: u64,
}

/// A connection of `Node`s with the house fields.
pub type RelayConnection<Node> = Connection<IdCursor, Node, ConnectionFields, EmptyFields>;

/// Relay paging arguments as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    /// Checks the arguments against the paging rules and decodes the cursors.
    pub fn into_request(self, limits: &GraphqlSettings) -> Result<PageRequest, ApiError> {
        if self.first.is_some() && self.last.is_some() {
            return Err(ApiError::BadUserInput(
                "pass either `first` or `last`, not both".to_owned(),
            ));
        }
        let size = |name: &str, value: Option<i32>| -> Result<Option<u64>, ApiError> {
            match value {
                None => Ok(None),
                Some(n) if n < 0 => Err(ApiError::BadUserInput(format!(
                    "`{name}` must not be negative"
                ))),
                Some(n) if u64::try_from(n).unwrap_or(u64::MAX) > limits.max_page_size => {
                    Err(ApiError::BadUserInput(format!(
                        "`{name}` must be at most {}",
                        limits.max_page_size
                    )))
                }
                Some(n) => Ok(u64::try_from(n).ok()),
            }
        };
        let cursor = |value: Option<String>| -> Result<Option<Uuid>, ApiError> {
            value
                .map(|c| IdCursor::decode_cursor(&c).map(|cursor| cursor.0))
                .transpose()
        };
        Ok(PageRequest {
            count_total: true,
            first: size("first", self.first)?,
            last: size("last", self.last)?,
            after: cursor(self.after)?,
            before: cursor(self.before)?,
        })
    }
}

impl PageArgs {
    /// Checks the arguments against the request's limits; the whole list is counted only
    /// when the client selected `totalCount`, which costs a statement of its own.
    pub fn into_counted_request(self, ctx: &Context<'_>) -> Result<PageRequest, ApiError> {
        let mut request = self.into_request(ctx.limits()?)?;
        request.count_total = ctx.look_ahead().field("totalCount").exists();
        Ok(request)
    }
}

/// A forward-only page (`first`, `after`) of a list the domain pages by keyset itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardPage {
    /// How many items to return.
    pub size: u64,
    /// The id of the last item of the previous page.
    pub after: Option<Uuid>,
}

impl ForwardPage {
    /// Checks `first` (1 to the largest page size; the default page size when omitted)
    /// and decodes `after`.
    pub fn parse(
        first: Option<i32>,
        after: Option<String>,
        limits: &GraphqlSettings,
    ) -> Result<Self, ApiError> {
        let size = match first {
            None => limits.default_page_size,
            Some(n) => match u64::try_from(n) {
                Ok(n) if (1..=limits.max_page_size).contains(&n) => n,
                _ => {
                    return Err(ApiError::BadUserInput(format!(
                        "`first` must be between 1 and {}",
                        limits.max_page_size
                    )));
                }
            },
        };
        let after = after
            .map(|a| IdCursor::decode_cursor(&a).map(|c| c.0))
            .transpose()?;
        Ok(Self { size, after })
    }

    /// The domain's answer as a [`Page`]: there is a previous page whenever this one
    /// starts after a cursor.
    pub fn page<T>(&self, items: Vec<T>, has_next_page: bool, total_count: u64) -> Page<T> {
        Page {
            items,
            has_next_page,
            has_previous_page: self.after.is_some(),
            total_count,
        }
    }
}

/// Turns a domain page into a connection, mapping each item to its GraphQL node.
pub fn connection_from_page<T, Node>(
    page: Page<T>,
    id_of: impl Fn(&T) -> Uuid,
    into_node: impl Fn(T) -> Node,
) -> RelayConnection<Node>
where
    Node: async_graphql::OutputType,
{
    let mut connection = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        ConnectionFields {
            total_count: page.total_count,
        },
    );
    connection.edges.extend(
        page.items
            .into_iter()
            .map(|item| Edge::new(IdCursor(id_of(&item)), into_node(item))),
    );
    connection
}

/// What a connection costs before its page: the query, the `totalCount` count and (for
/// search) the facets run over the whole result even for `first: 0`.
pub const CONNECTION_BASE_COST: usize = 10;

/// The complexity of a connection field: its page size (the default page size when
/// neither `first` nor `last` is given, at least one row: an empty page still runs the
/// query) times the cost of its selection, plus [`CONNECTION_BASE_COST`].
pub fn connection_complexity(
    child_complexity: usize,
    first: Option<i32>,
    last: Option<i32>,
) -> usize {
    let page = first
        .or(last)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(20)
        .max(1);
    page.saturating_mul(child_complexity)
        .saturating_add(CONNECTION_BASE_COST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = IdCursor(Uuid::now_v7());
        assert_eq!(
            IdCursor::decode_cursor(&cursor.encode_cursor()).ok(),
            Some(cursor)
        );
        assert!(IdCursor::decode_cursor("not-a-cursor").is_err());
        assert!(IdCursor::decode_cursor(&URL_SAFE_NO_PAD.encode("v2:abc")).is_err());
    }

    #[test]
    fn empty_pages_still_cost_their_query() {
        assert_eq!(
            connection_complexity(3, Some(0), None),
            3 + CONNECTION_BASE_COST
        );
        assert_eq!(
            connection_complexity(3, None, Some(0)),
            3 + CONNECTION_BASE_COST
        );
        assert_eq!(
            connection_complexity(3, Some(-5), None),
            60 + CONNECTION_BASE_COST
        );
        assert_eq!(
            connection_complexity(2, Some(50), None),
            100 + CONNECTION_BASE_COST
        );
    }

    #[test]
    fn page_sizes_are_bounded() {
        let limits = GraphqlSettings::default();
        let too_big = PageArgs {
            first: Some(101),
            ..PageArgs::default()
        };
        assert!(too_big.into_request(&limits).is_err());
        let both = PageArgs {
            first: Some(1),
            last: Some(1),
            ..PageArgs::default()
        };
        assert!(both.into_request(&limits).is_err());
        let fine = PageArgs {
            first: Some(100),
            ..PageArgs::default()
        };
        assert!(fine.into_request(&limits).is_ok());
    }

    #[test]
    fn forward_pages_take_one_to_the_largest_size() {
        let limits = GraphqlSettings::default();
        let size = |first| ForwardPage::parse(first, None, &limits).map(|p| p.size);
        let ok = |first| size(first).ok();
        assert_eq!(ok(None), Some(20));
        assert_eq!(ok(Some(1)), Some(1));
        assert_eq!(ok(Some(100)), Some(100));
        for refused in [0, -1, 101] {
            assert!(matches!(
                size(Some(refused)),
                Err(ApiError::BadUserInput(message)) if message == "`first` must be between 1 and 100"
            ));
        }
        let after = IdCursor(Uuid::now_v7());
        let page = ForwardPage::parse(None, Some(after.encode_cursor()), &limits);
        assert_eq!(page.ok().map(|p| p.after), Some(Some(after.0)));
    }
}
