//! The order and fulfilment state machines.
//!
//! An order is paid (or confirmed on credit terms) as a whole; each cooperative's part
//! of it, its fulfilment, then moves on its own:
//!
//! ```text
//! PENDING_PAYMENT ─pay─▶ PAID ─┐
//! CONFIRMED (COD / PO) ────────┴─pack─▶ PACKED ─ship─▶ SHIPPED ─deliver─▶ DELIVERED ─accept─▶ ACCEPTED
//! PENDING_PAYMENT, CONFIRMED, PAID, PACKED ─cancel─▶ CANCELLED
//! ```
//!
//! ACCEPTED (the consignee's receipt and acceptance, like GeM's CRAC) exists for
//! institutional orders only. The order's own status follows from its payment, its
//! refunds and its fulfilments ([`derive_order_status`]).

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        $crate::status::string_enum!(@impls $name { $($variant => $text),+ });
    };
    (@impls $name:ident { $($variant:ident => $text:tt),+ }) => {
        impl $name {
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!("unknown {} {other}", stringify!($name))),
                }
            }
        }
    };
}

/// A [`string_enum!`] that is also a column type: stored as exactly these strings in
/// a `string()` column (so no data migration), and a value outside them fails to
/// decode (a `DbErr`, hence an INTERNAL error) instead of becoming a default.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            ::sea_orm::EnumIter, ::sea_orm::DeriveActiveEnum,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::None)")]
        pub enum $name { $(#[sea_orm(string_value = $text)] $variant),+ }

        $crate::status::string_enum!(@impls $name { $($variant => $text),+ });
    };
}

pub(crate) use stored_enum;
pub(crate) use string_enum;

stored_enum!(OrderStatus {
    PendingPayment => "PENDING_PAYMENT",
    Confirmed => "CONFIRMED",
    Paid => "PAID",
    Cancelled => "CANCELLED",
    PartiallyRefunded => "PARTIALLY_REFUNDED",
    Refunded => "REFUNDED",
});

// RETURNED: a cash-on-delivery parcel that came back undelivered (stock back, invoice
// reversed by a credit note, nothing collected or refunded).
stored_enum!(FulfilmentStatus {
    PendingPayment => "PENDING_PAYMENT",
    Confirmed => "CONFIRMED",
    Paid => "PAID",
    Packed => "PACKED",
    Shipped => "SHIPPED",
    Delivered => "DELIVERED",
    Accepted => "ACCEPTED",
    Cancelled => "CANCELLED",
    Returned => "RETURNED",
});

string_enum!(FulfilmentAction {
    Pay => "PAY",
    Pack => "PACK",
    Ship => "SHIP",
    Deliver => "DELIVER",
    Accept => "ACCEPT",
    Cancel => "CANCEL",
    ReturnUndelivered => "RETURN_UNDELIVERED",
});

stored_enum!(
    /// A retail buyer's order, or an institution's (consignees, acceptance, terms).
    OrderKind {
        Retail => "RETAIL",
        Institutional => "INSTITUTIONAL",
    }
);

stored_enum!(
    /// What an order line charges for.
    LineKind {
        Goods => "GOODS",
        Shipping => "SHIPPING",
    }
);

stored_enum!(
    /// The document a fulfilment's supply is billed on (CGST s.31, Rules 46, 46A, 49):
    /// a tax invoice when every line bears GST; a bill of supply when none can (the
    /// supplier collects no GST, or every line is nil-rated or exempt); an
    /// invoice-cum-bill of supply when taxable and non-taxable goods go together.
    DocumentKind {
        TaxInvoice => "TAX_INVOICE",
        BillOfSupply => "BILL_OF_SUPPLY",
        InvoiceCumBillOfSupply => "INVOICE_CUM_BILL_OF_SUPPLY",
    }
);

impl DocumentKind {
    /// The document for a supplier in `regime` whose goods lines bear `goods_rates`
    /// (basis points).
    pub fn for_supply(regime: catalog::GstRegime, goods_rates: &[i64]) -> Self {
        let taxed = goods_rates.iter().filter(|rate| **rate > 0).count();
        if !regime.collects_gst() || taxed == 0 {
            Self::BillOfSupply
        } else if taxed < goods_rates.len() {
            Self::InvoiceCumBillOfSupply
        } else {
            Self::TaxInvoice
        }
    }

    /// The title printed on the document.
    pub const fn title(self) -> &'static str {
        match self {
            Self::TaxInvoice => "Tax invoice",
            Self::BillOfSupply => "Bill of supply",
            Self::InvoiceCumBillOfSupply => "Invoice-cum-bill of supply",
        }
    }
}

stored_enum!(
    /// A note that corrects an invoice already issued (CGST s.34, Rule 53): a credit
    /// note lowers its value and tax (a refund, a return), a debit note raises them.
    NoteKind {
        CreditNote => "CREDIT_NOTE",
        DebitNote => "DEBIT_NOTE",
    }
);

impl NoteKind {
    /// The title printed on the note.
    pub const fn title(self) -> &'static str {
        match self {
            Self::CreditNote => "Credit note",
            Self::DebitNote => "Debit note",
        }
    }

    /// The letter that marks the note's series in its number (`PREF/C2627/00001`).
    pub const fn series_letter(self) -> char {
        match self {
            Self::CreditNote => 'C',
            Self::DebitNote => 'D',
        }
    }
}

stored_enum!(
    /// What became of units a consignee rejected at acceptance (GeM's CRAC). Either
    /// way the invoice is already out, so a credit note takes their value off it.
    /// `RETURN_TO_STOCK`: the units came back to the cooperative and can be sold
    /// again, so they return to stock through the stock ledger. `WRITE_OFF`: they are
    /// not coming back or cannot be sold (spoilt, destroyed at the consignee).
    RejectedDisposition {
        ReturnToStock => "RETURN_TO_STOCK",
        WriteOff => "WRITE_OFF",
    }
);

stored_enum!(
    /// Stock held for an order (see `reservations`).
    ReservationStatus {
        Held => "HELD",
        Consumed => "CONSUMED",
        Released => "RELEASED",
    }
);

stored_enum!(
    CartStatus {
        Open => "OPEN",
        CheckedOut => "CHECKED_OUT",
    }
);

stored_enum!(
    /// PENDING: sent to the provider, outcome unknown.
    RefundStatus {
        Pending => "PENDING",
        Succeeded => "SUCCEEDED",
        Failed => "FAILED",
    }
);

stored_enum!(
    /// A Razorpay Route transfer of a fulfilment's share: PENDING until Razorpay
    /// answers the create (its `trf_` id known), CREATED once it did, then PROCESSED
    /// or FAILED as Razorpay's `transfer.*` webhooks say. Only moves forward.
    RouteTransferStatus {
        Pending => "PENDING",
        Created => "CREATED",
        Processed => "PROCESSED",
        Failed => "FAILED",
    }
);

stored_enum!(
    /// What a Route job asks of Razorpay.
    RouteJobKind {
        Create => "CREATE",
        Release => "RELEASE",
        Reverse => "REVERSE",
    }
);

stored_enum!(
    /// Who made a change recorded in the history.
    ActorRole {
        Anonymous => "ANONYMOUS",
        Buyer => "BUYER",
        Institution => "INSTITUTION",
        Cooperative => "COOPERATIVE",
        Admin => "ADMIN",
        System => "SYSTEM",
    }
);

stored_enum!(
    /// A status in the history: an order's, a fulfilment's (they share the names they
    /// have in common), or the REFUND marker of a refund entry.
    HistoryStatus {
        PendingPayment => "PENDING_PAYMENT",
        Confirmed => "CONFIRMED",
        Paid => "PAID",
        Packed => "PACKED",
        Shipped => "SHIPPED",
        Delivered => "DELIVERED",
        Accepted => "ACCEPTED",
        Cancelled => "CANCELLED",
        PartiallyRefunded => "PARTIALLY_REFUNDED",
        Refunded => "REFUNDED",
        Returned => "RETURNED",
        Refund => "REFUND",
        CreditNote => "CREDIT_NOTE",
        DebitNote => "DEBIT_NOTE",
        InvoiceCancelled => "INVOICE_CANCELLED",
    }
);

impl From<OrderStatus> for HistoryStatus {
    fn from(status: OrderStatus) -> Self {
        match status {
            OrderStatus::PendingPayment => Self::PendingPayment,
            OrderStatus::Confirmed => Self::Confirmed,
            OrderStatus::Paid => Self::Paid,
            OrderStatus::Cancelled => Self::Cancelled,
            OrderStatus::PartiallyRefunded => Self::PartiallyRefunded,
            OrderStatus::Refunded => Self::Refunded,
        }
    }
}

impl From<FulfilmentStatus> for HistoryStatus {
    fn from(status: FulfilmentStatus) -> Self {
        match status {
            FulfilmentStatus::PendingPayment => Self::PendingPayment,
            FulfilmentStatus::Confirmed => Self::Confirmed,
            FulfilmentStatus::Paid => Self::Paid,
            FulfilmentStatus::Packed => Self::Packed,
            FulfilmentStatus::Shipped => Self::Shipped,
            FulfilmentStatus::Delivered => Self::Delivered,
            FulfilmentStatus::Accepted => Self::Accepted,
            FulfilmentStatus::Cancelled => Self::Cancelled,
            FulfilmentStatus::Returned => Self::Returned,
        }
    }
}

impl FulfilmentStatus {
    /// The status after `action`, or `None` when the transition is not allowed.
    pub const fn after(self, action: FulfilmentAction) -> Option<Self> {
        use FulfilmentAction as A;
        use FulfilmentStatus as S;
        match (self, action) {
            (S::PendingPayment, A::Pay) => Some(S::Paid),
            (S::Paid | S::Confirmed, A::Pack) => Some(S::Packed),
            (S::Packed, A::Ship) => Some(S::Shipped),
            (S::Shipped, A::Deliver) => Some(S::Delivered),
            (S::Delivered, A::Accept) => Some(S::Accepted),
            (S::PendingPayment | S::Confirmed | S::Paid | S::Packed, A::Cancel) => {
                Some(S::Cancelled)
            }
            (S::Shipped, A::ReturnUndelivered) => Some(S::Returned),
            _ => None,
        }
    }

    /// Nothing is supplied or due for the fulfilment any more: cancelled before it
    /// shipped, or returned undelivered.
    pub const fn is_void(self) -> bool {
        matches!(self, Self::Cancelled | Self::Returned)
    }

    /// Goods have left the cooperative (or never will): the fulfilment can no longer be
    /// cancelled.
    pub const fn is_dispatched(self) -> bool {
        matches!(self, Self::Shipped | Self::Delivered | Self::Accepted)
    }
}

/// What an order's status follows from.
#[derive(Debug, Clone, Copy)]
pub struct OrderFacts {
    pub on_credit_terms: bool,
    pub total_paise: i64,
    pub payment_received_paise: i64,
    pub refunded_paise: i64,
    pub all_fulfilments_cancelled: bool,
}

pub const fn derive_order_status(facts: OrderFacts) -> OrderStatus {
    if facts.refunded_paise > 0 {
        if facts.refunded_paise >= facts.payment_received_paise {
            if facts.all_fulfilments_cancelled {
                return OrderStatus::Cancelled;
            }
            return OrderStatus::Refunded;
        }
        return OrderStatus::PartiallyRefunded;
    }
    if facts.all_fulfilments_cancelled {
        OrderStatus::Cancelled
    } else if facts.payment_received_paise >= facts.total_paise && facts.total_paise > 0 {
        OrderStatus::Paid
    } else if facts.on_credit_terms {
        OrderStatus::Confirmed
    } else {
        OrderStatus::PendingPayment
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transition_is_listed_and_every_other_is_refused() {
        use FulfilmentAction as A;
        use FulfilmentStatus as S;
        let allowed = [
            (S::PendingPayment, A::Pay, S::Paid),
            (S::Paid, A::Pack, S::Packed),
            (S::Confirmed, A::Pack, S::Packed),
            (S::Packed, A::Ship, S::Shipped),
            (S::Shipped, A::Deliver, S::Delivered),
            (S::Shipped, A::ReturnUndelivered, S::Returned),
            (S::Delivered, A::Accept, S::Accepted),
            (S::PendingPayment, A::Cancel, S::Cancelled),
            (S::Confirmed, A::Cancel, S::Cancelled),
            (S::Paid, A::Cancel, S::Cancelled),
            (S::Packed, A::Cancel, S::Cancelled),
        ];
        let mut checked = 0;
        for &from in S::ALL {
            for &action in A::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action)
                    .map(|(_, _, to)| *to);
                assert_eq!(from.after(action), expected, "{from} {action}");
                checked += 1;
            }
        }
        assert_eq!(checked, S::ALL.len() * A::ALL.len());
    }

    #[test]
    fn names_round_trip() {
        for status in FulfilmentStatus::ALL {
            assert_eq!(status.as_str().parse::<FulfilmentStatus>(), Ok(*status));
        }
        for status in OrderStatus::ALL {
            assert_eq!(status.as_str().parse::<OrderStatus>(), Ok(*status));
        }
    }

    #[test]
    fn order_status_follows_payment_refunds_and_cancellation() {
        let facts = OrderFacts {
            on_credit_terms: false,
            total_paise: 1000,
            payment_received_paise: 0,
            refunded_paise: 0,
            all_fulfilments_cancelled: false,
        };
        assert_eq!(derive_order_status(facts), OrderStatus::PendingPayment);
        let credit = OrderFacts {
            on_credit_terms: true,
            ..facts
        };
        assert_eq!(derive_order_status(credit), OrderStatus::Confirmed);
        let paid = OrderFacts {
            payment_received_paise: 1000,
            ..facts
        };
        assert_eq!(derive_order_status(paid), OrderStatus::Paid);
        let partly = OrderFacts {
            refunded_paise: 400,
            ..paid
        };
        assert_eq!(derive_order_status(partly), OrderStatus::PartiallyRefunded);
        let all = OrderFacts {
            refunded_paise: 1000,
            ..paid
        };
        assert_eq!(derive_order_status(all), OrderStatus::Refunded);
        let cancelled = OrderFacts {
            all_fulfilments_cancelled: true,
            ..all
        };
        assert_eq!(derive_order_status(cancelled), OrderStatus::Cancelled);
        let unpaid_cancelled = OrderFacts {
            all_fulfilments_cancelled: true,
            ..facts
        };
        assert_eq!(
            derive_order_status(unpaid_cancelled),
            OrderStatus::Cancelled
        );
    }
}
