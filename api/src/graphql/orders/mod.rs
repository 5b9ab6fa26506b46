//! Carts, checkout, orders, fulfilment, payments and refunds over GraphQL. The rules
//! live in the `orders` crate; these modules map inputs and outputs, one per feature.

mod address_book;
mod carts;
mod checkout;
mod fulfilment;
mod notes;
mod payments;
mod payout;
mod queries;
mod quote;
mod refunds;
mod types;

use async_graphql::MergedObject;

pub use address_book::*;
pub use carts::*;
pub use checkout::*;
pub use fulfilment::*;
pub use notes::*;
pub use payments::*;
pub use payout::*;
pub use queries::*;
pub use quote::*;
pub use refunds::*;
pub use types::*;

/// The orders' mutations, merged in the order the committed SDL lists them.
#[derive(MergedObject, Default)]
pub struct OrdersMutation(
    CartMutation,
    CheckoutMutation,
    FulfilmentMutation,
    RefundMutation,
    NoteMutation,
    PaymentMutation,
    PayoutMutation,
    RouteAccountMutation,
    AddressBookMutation,
);
