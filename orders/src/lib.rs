//! Orders: carts, checkout, GST invoices, inventory reservations, payments and
//! institutional orders.
//!
//! Not built yet: the crate holds its place in the workspace so that the layering check
//! covers it from the start. Its open issue describes what it will own.
