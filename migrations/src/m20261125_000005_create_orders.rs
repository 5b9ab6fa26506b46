//! Orders: carts, orders split into one fulfilment per cooperative, their lines and
//! consignees, the append-only status history, stock reservations, per-cooperative
//! invoice series, payment-provider events (each processed once) and refunds.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Carts {
    Table,
    Id,
    TokenHash,
    UserId,
    Status,
    OrderId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CartItems {
    Table,
    Id,
    CartId,
    VariantId,
    Quantity,
    SeenUnitPricePaise,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    Number,
    Kind,
    Status,
    BuyerUserId,
    BuyerOrganisationId,
    IdempotencyKey,
    RequestFingerprint,
    Currency,
    ShippingAddress,
    PlaceOfSupply,
    GoodsPaise,
    ShippingPaise,
    TaxablePaise,
    CgstPaise,
    SgstPaise,
    UtgstPaise,
    IgstPaise,
    TotalPaise,
    RefundedPaise,
    PaymentMethod,
    PaymentProvider,
    PaymentReference,
    PaymentClientSecret,
    PaymentReceivedPaise,
    PaidAt,
    PaymentIssue,
    ReservationExpiresAt,
    PurchaseOrderNumber,
    GemContractNumber,
    PaymentTermsDays,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Fulfilments {
    Table,
    Id,
    OrderId,
    CooperativeId,
    Status,
    GoodsPaise,
    ShippingPaise,
    TaxablePaise,
    CgstPaise,
    SgstPaise,
    UtgstPaise,
    IgstPaise,
    TotalPaise,
    TcsPaise,
    RefundedPaise,
    InvoiceNumber,
    InvoiceDate,
    Carrier,
    TrackingNumber,
    AcceptedAt,
    PaymentDueAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
    OrderId,
    FulfilmentId,
    ConsigneeId,
    Position,
    Kind,
    VariantId,
    ProductId,
    Sku,
    Description,
    Hsn,
    Quantity,
    UnitPricePaise,
    TotalPaise,
    RateBp,
    TaxablePaise,
    CgstPaise,
    SgstPaise,
    UtgstPaise,
    IgstPaise,
    PlaceOfSupply,
}

#[derive(DeriveIden)]
enum Consignees {
    Table,
    Id,
    OrderId,
    Position,
    Name,
    Address,
    StateCode,
}

#[derive(DeriveIden)]
enum OrderEvents {
    Table,
    Id,
    OrderId,
    FulfilmentId,
    FromStatus,
    ToStatus,
    ActorUserId,
    ActorRole,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum StockReservations {
    Table,
    Id,
    OrderId,
    FulfilmentId,
    VariantId,
    Quantity,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InvoiceSequences {
    Table,
    CooperativeId,
    FinancialYear,
    LastNumber,
}

#[derive(DeriveIden)]
enum PaymentEvents {
    Table,
    Id,
    Provider,
    EventType,
    OrderId,
    Outcome,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum Refunds {
    Table,
    Id,
    OrderId,
    FulfilmentId,
    AmountPaise,
    Reason,
    IdempotencyKey,
    Provider,
    ProviderReference,
    Status,
    FailureMessage,
    ActorUserId,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Orders::Table)
                    .col(pk_uuid(Orders::Id))
                    .col(string_uniq(Orders::Number))
                    .col(string(Orders::Kind))
                    .col(string(Orders::Status))
                    .col(uuid(Orders::BuyerUserId))
                    .col(uuid_null(Orders::BuyerOrganisationId))
                    .col(string(Orders::IdempotencyKey))
                    .col(string(Orders::RequestFingerprint))
                    .col(string(Orders::Currency))
                    .col(json(Orders::ShippingAddress))
                    .col(string(Orders::PlaceOfSupply))
                    .col(big_integer(Orders::GoodsPaise))
                    .col(big_integer(Orders::ShippingPaise))
                    .col(big_integer(Orders::TaxablePaise))
                    .col(big_integer(Orders::CgstPaise))
                    .col(big_integer(Orders::SgstPaise))
                    .col(big_integer(Orders::UtgstPaise))
                    .col(big_integer(Orders::IgstPaise))
                    .col(big_integer(Orders::TotalPaise))
                    .col(big_integer(Orders::RefundedPaise).default(0))
                    .col(string(Orders::PaymentMethod))
                    .col(string(Orders::PaymentProvider))
                    .col(string_null(Orders::PaymentReference))
                    .col(string_null(Orders::PaymentClientSecret))
                    .col(big_integer(Orders::PaymentReceivedPaise).default(0))
                    .col(timestamp_with_time_zone_null(Orders::PaidAt))
                    .col(text_null(Orders::PaymentIssue))
                    .col(timestamp_with_time_zone_null(Orders::ReservationExpiresAt))
                    .col(string_null(Orders::PurchaseOrderNumber))
                    .col(string_null(Orders::GemContractNumber))
                    .col(integer_null(Orders::PaymentTermsDays))
                    .col(timestamp_with_time_zone(Orders::CreatedAt))
                    .col(timestamp_with_time_zone(Orders::UpdatedAt))
                    .check(Expr::col(Orders::RefundedPaise).gte(0))
                    .check(Expr::col(Orders::RefundedPaise).lte(Expr::col(Orders::TotalPaise)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_idempotency")
                    .table(Orders::Table)
                    .col(Orders::BuyerUserId)
                    .col(Orders::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_buyer_created")
                    .table(Orders::Table)
                    .col(Orders::BuyerUserId)
                    .col(Orders::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_payment_reference")
                    .table(Orders::Table)
                    .col(Orders::PaymentReference)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_status_expiry")
                    .table(Orders::Table)
                    .col(Orders::Status)
                    .col(Orders::ReservationExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Carts::Table)
                    .col(pk_uuid(Carts::Id))
                    .col(string_null(Carts::TokenHash).unique_key())
                    .col(uuid_null(Carts::UserId))
                    .col(string(Carts::Status))
                    .col(uuid_null(Carts::OrderId))
                    .col(timestamp_with_time_zone(Carts::CreatedAt))
                    .col(timestamp_with_time_zone(Carts::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_carts_user_status")
                    .table(Carts::Table)
                    .col(Carts::UserId)
                    .col(Carts::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CartItems::Table)
                    .col(pk_uuid(CartItems::Id))
                    .col(uuid(CartItems::CartId))
                    .col(uuid(CartItems::VariantId))
                    .col(integer(CartItems::Quantity))
                    .col(big_integer(CartItems::SeenUnitPricePaise))
                    .col(timestamp_with_time_zone(CartItems::CreatedAt))
                    .col(timestamp_with_time_zone(CartItems::UpdatedAt))
                    .check(Expr::col(CartItems::Quantity).gt(0))
                    .foreign_key(
                        &mut fk("fk_cart_items_cart")
                            .from(CartItems::Table, CartItems::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cart_items_variant")
                    .table(CartItems::Table)
                    .col(CartItems::CartId)
                    .col(CartItems::VariantId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Fulfilments::Table)
                    .col(pk_uuid(Fulfilments::Id))
                    .col(uuid(Fulfilments::OrderId))
                    .col(uuid(Fulfilments::CooperativeId))
                    .col(string(Fulfilments::Status))
                    .col(big_integer(Fulfilments::GoodsPaise))
                    .col(big_integer(Fulfilments::ShippingPaise))
                    .col(big_integer(Fulfilments::TaxablePaise))
                    .col(big_integer(Fulfilments::CgstPaise))
                    .col(big_integer(Fulfilments::SgstPaise))
                    .col(big_integer(Fulfilments::UtgstPaise))
                    .col(big_integer(Fulfilments::IgstPaise))
                    .col(big_integer(Fulfilments::TotalPaise))
                    .col(big_integer(Fulfilments::TcsPaise).default(0))
                    .col(big_integer(Fulfilments::RefundedPaise).default(0))
                    .col(string_null(Fulfilments::InvoiceNumber))
                    .col(date_null(Fulfilments::InvoiceDate))
                    .col(string_null(Fulfilments::Carrier))
                    .col(string_null(Fulfilments::TrackingNumber))
                    .col(timestamp_with_time_zone_null(Fulfilments::AcceptedAt))
                    .col(timestamp_with_time_zone_null(Fulfilments::PaymentDueAt))
                    .col(timestamp_with_time_zone(Fulfilments::CreatedAt))
                    .col(timestamp_with_time_zone(Fulfilments::UpdatedAt))
                    .check(Expr::col(Fulfilments::RefundedPaise).gte(0))
                    .check(
                        Expr::col(Fulfilments::RefundedPaise)
                            .lte(Expr::col(Fulfilments::TotalPaise)),
                    )
                    .foreign_key(
                        &mut fk("fk_fulfilments_order")
                            .from(Fulfilments::Table, Fulfilments::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_fulfilments_invoice_number")
                    .table(Fulfilments::Table)
                    .col(Fulfilments::CooperativeId)
                    .col(Fulfilments::InvoiceNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_fulfilments_order")
                    .table(Fulfilments::Table)
                    .col(Fulfilments::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Consignees::Table)
                    .col(pk_uuid(Consignees::Id))
                    .col(uuid(Consignees::OrderId))
                    .col(integer(Consignees::Position))
                    .col(string(Consignees::Name))
                    .col(json(Consignees::Address))
                    .col(string(Consignees::StateCode))
                    .foreign_key(
                        &mut fk("fk_consignees_order")
                            .from(Consignees::Table, Consignees::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderLines::Table)
                    .col(pk_uuid(OrderLines::Id))
                    .col(uuid(OrderLines::OrderId))
                    .col(uuid(OrderLines::FulfilmentId))
                    .col(uuid_null(OrderLines::ConsigneeId))
                    .col(integer(OrderLines::Position))
                    .col(string(OrderLines::Kind))
                    .col(uuid_null(OrderLines::VariantId))
                    .col(uuid_null(OrderLines::ProductId))
                    .col(string(OrderLines::Sku))
                    .col(string(OrderLines::Description))
                    .col(string(OrderLines::Hsn))
                    .col(integer(OrderLines::Quantity))
                    .col(big_integer(OrderLines::UnitPricePaise))
                    .col(big_integer(OrderLines::TotalPaise))
                    .col(integer(OrderLines::RateBp))
                    .col(big_integer(OrderLines::TaxablePaise))
                    .col(big_integer(OrderLines::CgstPaise))
                    .col(big_integer(OrderLines::SgstPaise))
                    .col(big_integer(OrderLines::UtgstPaise))
                    .col(big_integer(OrderLines::IgstPaise))
                    .col(string(OrderLines::PlaceOfSupply))
                    .foreign_key(
                        &mut fk("fk_order_lines_order")
                            .from(OrderLines::Table, OrderLines::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .to_owned(),
                    )
                    .foreign_key(
                        &mut fk("fk_order_lines_fulfilment")
                            .from(OrderLines::Table, OrderLines::FulfilmentId)
                            .to(Fulfilments::Table, Fulfilments::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_lines_order")
                    .table(OrderLines::Table)
                    .col(OrderLines::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderEvents::Table)
                    .col(pk_uuid(OrderEvents::Id))
                    .col(uuid(OrderEvents::OrderId))
                    .col(uuid_null(OrderEvents::FulfilmentId))
                    .col(string_null(OrderEvents::FromStatus))
                    .col(string(OrderEvents::ToStatus))
                    .col(uuid_null(OrderEvents::ActorUserId))
                    .col(string(OrderEvents::ActorRole))
                    .col(text_null(OrderEvents::Reason))
                    .col(timestamp_with_time_zone(OrderEvents::CreatedAt))
                    .foreign_key(
                        &mut fk("fk_order_events_order")
                            .from(OrderEvents::Table, OrderEvents::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_events_order")
                    .table(OrderEvents::Table)
                    .col(OrderEvents::OrderId)
                    .col(OrderEvents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StockReservations::Table)
                    .col(pk_uuid(StockReservations::Id))
                    .col(uuid(StockReservations::OrderId))
                    .col(uuid(StockReservations::FulfilmentId))
                    .col(uuid(StockReservations::VariantId))
                    .col(integer(StockReservations::Quantity))
                    .col(string(StockReservations::Status))
                    .col(timestamp_with_time_zone(StockReservations::CreatedAt))
                    .col(timestamp_with_time_zone(StockReservations::UpdatedAt))
                    .check(Expr::col(StockReservations::Quantity).gt(0))
                    .foreign_key(
                        &mut fk("fk_reservations_order")
                            .from(StockReservations::Table, StockReservations::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reservations_order")
                    .table(StockReservations::Table)
                    .col(StockReservations::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InvoiceSequences::Table)
                    .col(uuid(InvoiceSequences::CooperativeId))
                    .col(string(InvoiceSequences::FinancialYear))
                    .col(integer(InvoiceSequences::LastNumber))
                    .primary_key(
                        Index::create()
                            .col(InvoiceSequences::CooperativeId)
                            .col(InvoiceSequences::FinancialYear),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PaymentEvents::Table)
                    .col(string(PaymentEvents::Id).primary_key())
                    .col(string(PaymentEvents::Provider))
                    .col(string(PaymentEvents::EventType))
                    .col(uuid_null(PaymentEvents::OrderId))
                    .col(text(PaymentEvents::Outcome))
                    .col(timestamp_with_time_zone(PaymentEvents::ReceivedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Refunds::Table)
                    .col(pk_uuid(Refunds::Id))
                    .col(uuid(Refunds::OrderId))
                    .col(uuid(Refunds::FulfilmentId))
                    .col(big_integer(Refunds::AmountPaise))
                    .col(text(Refunds::Reason))
                    .col(string(Refunds::IdempotencyKey))
                    .col(string(Refunds::Provider))
                    .col(string_null(Refunds::ProviderReference))
                    .col(string(Refunds::Status))
                    .col(text_null(Refunds::FailureMessage))
                    .col(uuid_null(Refunds::ActorUserId))
                    .col(timestamp_with_time_zone(Refunds::CreatedAt))
                    .col(timestamp_with_time_zone(Refunds::UpdatedAt))
                    .check(Expr::col(Refunds::AmountPaise).gt(0))
                    .foreign_key(
                        &mut fk("fk_refunds_order")
                            .from(Refunds::Table, Refunds::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refunds_idempotency")
                    .table(Refunds::Table)
                    .col(Refunds::OrderId)
                    .col(Refunds::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Refunds::Table.into_iden(),
            PaymentEvents::Table.into_iden(),
            InvoiceSequences::Table.into_iden(),
            StockReservations::Table.into_iden(),
            OrderEvents::Table.into_iden(),
            OrderLines::Table.into_iden(),
            Consignees::Table.into_iden(),
            Fulfilments::Table.into_iden(),
            CartItems::Table.into_iden(),
            Carts::Table.into_iden(),
            Orders::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn fk(name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).to_owned()
}
