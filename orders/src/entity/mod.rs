//! sea-orm entities of the order tables. Relations are left out: queries join by id
//! explicitly, so each one's cost is visible where it is written.

pub mod acceptance_line;
pub mod cancelled_invoice;
pub mod cart;
pub mod cart_item;
pub mod consignee;
pub mod einvoice_registration;
pub mod fulfilment;
pub mod gstr1_filing;
pub mod invoice_sequence;
pub mod note_sequence;
pub mod order;
pub mod order_event;
pub mod order_line;
pub mod payment_event;
pub mod payout_account;
pub mod refund;
pub mod route_account;
pub mod route_job;
pub mod route_reversal;
pub mod route_transfer;
pub mod saved_address;
pub mod stock_reservation;
pub mod tax_note;
pub mod tax_note_line;
