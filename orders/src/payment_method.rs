use crate::status::string_enum;

string_enum!(PaymentMethod {
    Stripe => "STRIPE",
    CashOnDelivery => "CASH_ON_DELIVERY",
    BankTransfer => "BANK_TRANSFER",
    PurchaseOrder => "PURCHASE_ORDER",
    Channel => "CHANNEL",
});

impl PaymentMethod {
    /// The provider that settles this method: Stripe, or staff confirming by hand.
    pub const fn provider(self) -> &'static str {
        match self {
            Self::Stripe => "stripe",
            _ => "manual",
        }
    }

    /// Goods go out before the money arrives: cash on delivery, purchase orders on
    /// payment terms, and channel orders the channel settles later. Their stock is held
    /// without an expiry.
    pub const fn on_credit_terms(self) -> bool {
        matches!(
            self,
            Self::CashOnDelivery | Self::PurchaseOrder | Self::Channel
        )
    }
}
