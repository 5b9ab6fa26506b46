use crate::status::stored_enum;

stored_enum!(PaymentMethod {
    Stripe => "STRIPE",
    Razorpay => "RAZORPAY",
    CashOnDelivery => "CASH_ON_DELIVERY",
    BankTransfer => "BANK_TRANSFER",
    PurchaseOrder => "PURCHASE_ORDER",
    Channel => "CHANNEL",
});

stored_enum!(
    /// Who settles a payment: Stripe, Razorpay, or staff confirming by hand.
    PaymentProvider {
        Stripe => "stripe",
        Razorpay => "razorpay",
        Manual => "manual",
    }
);

impl PaymentMethod {
    /// The provider that settles this method: Stripe, Razorpay, or staff confirming
    /// by hand.
    pub const fn provider(self) -> PaymentProvider {
        match self {
            Self::Stripe => PaymentProvider::Stripe,
            Self::Razorpay => PaymentProvider::Razorpay,
            _ => PaymentProvider::Manual,
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
