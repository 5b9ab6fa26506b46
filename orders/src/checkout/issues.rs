//! What can stop a cart line from being ordered, in one vocabulary for the checkout
//! (which refuses the order with a field error per problem) and the quote (which
//! shows each problem on its line). A leaf: the checker and the planner both use it.

use kernel::FieldErrorCode;

/// Why a line cannot be ordered as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineIssueKind {
    /// The variant is no longer for sale (withdrawn, or its product unpublished).
    NotForSale,
    /// Today's price differs from the one the buyer last saw.
    PriceChanged,
    /// Fewer units than the variant's minimum order quantity.
    BelowMinimumQuantity,
    /// More units than are in stock.
    OutOfStock,
    /// The supplier's GST regime does not allow a supply to that State.
    NotDeliverable,
}

impl LineIssueKind {
    /// A line that cannot be priced for the address at all (stock and quantity
    /// problems still have a price to show).
    pub const fn blocks_planning(self) -> bool {
        matches!(self, Self::NotForSale | Self::NotDeliverable)
    }

    /// The field-error code checkout reports this problem with.
    pub const fn code(self) -> FieldErrorCode {
        match self {
            Self::NotForSale => FieldErrorCode::NotFound,
            Self::PriceChanged => FieldErrorCode::PriceChanged,
            Self::BelowMinimumQuantity => FieldErrorCode::OutOfRange,
            Self::OutOfStock => FieldErrorCode::OutOfStock,
            Self::NotDeliverable => FieldErrorCode::NotAllowed,
        }
    }
}

/// One problem of one line, with a message the buyer can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIssue {
    pub kind: LineIssueKind,
    pub message: String,
}

impl LineIssue {
    pub(crate) fn new(kind: LineIssueKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}
