//! Orders: carts, checkout, GST invoices, inventory reservations, payments and
//! institutional orders.
//!
//! Built so far: the GST computation ([`tax`]) that checkout and invoices will use. The
//! cart, order, payment and institutional flows are still to be built (their issue is
//! open).

pub mod tax;
