//! Keyset pagination over UUIDv7 primary keys, which sort in creation order. A page is
//! read with one extra row to learn whether another page follows, so paging never
//! needs OFFSET and stays fast however deep a client goes.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

/// Which slice of a list the client asked for; `after`/`before` are the ids that the
/// client's cursors point at. At most one of `first` and `last` is set.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageRequest {
    /// Whether to count the whole list, which costs one more statement.
    pub count_total: bool,
    pub first: Option<u64>,
    pub after: Option<Uuid>,
    pub last: Option<u64>,
    pub before: Option<Uuid>,
}

/// One page of a list, in list order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// Zero unless the request asked for the count.
    pub total_count: u64,
}

impl<T> Page<T> {
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            total_count: self.total_count,
        })
    }
}

/// Reads one page of `select` ordered by `id_column`, newest first when `newest_first`.
pub async fn fetch_page<E, M>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_column: E::Column,
    newest_first: bool,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<M>, DbErr>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Send + Sync,
{
    let total_count = if request.count_total {
        select.clone().count(db).await?
    } else {
        0
    };
    let backwards = request.last.is_some() && request.first.is_none();
    let size = if backwards {
        request.last.unwrap_or(default_size)
    } else {
        request.first.unwrap_or(default_size)
    };
    let mut page = select;
    // Walking backwards flips both the comparison and the order; the rows are
    // reversed afterwards so the page is always in list order.
    let ascending = newest_first == backwards;
    if let Some(after) = request.after {
        page = if newest_first {
            page.filter(id_column.lt(after))
        } else {
            page.filter(id_column.gt(after))
        };
    }
    if let Some(before) = request.before {
        page = if newest_first {
            page.filter(id_column.gt(before))
        } else {
            page.filter(id_column.lt(before))
        };
    }
    page = if ascending {
        page.order_by_asc(id_column)
    } else {
        page.order_by_desc(id_column)
    };
    let mut items = page.limit(size.saturating_add(1)).all(db).await?;
    let has_more = u64::try_from(items.len()).unwrap_or(u64::MAX) > size;
    items.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    if backwards {
        items.reverse();
        Ok(Page {
            items,
            has_next_page: request.before.is_some(),
            has_previous_page: has_more,
            total_count,
        })
    } else {
        Ok(Page {
            items,
            has_next_page: has_more,
            has_previous_page: request.after.is_some(),
            total_count,
        })
    }
}
