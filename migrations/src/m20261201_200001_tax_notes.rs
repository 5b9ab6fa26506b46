//! Credit and debit notes (CGST s.34, Rule 53): documents that reduce or raise the
//! value of an invoice already issued, each in its own series per cooperative and
//! financial year, with per-line taxable value and tax per head so that GSTR-1's
//! credit/debit-note sections (CDNR, CDNUR) can be built from them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TaxNotes {
    Table,
    Id,
    Kind,
    CooperativeId,
    OrderId,
    FulfilmentId,
    Number,
    NoteDate,
    FinancialYear,
    InvoiceNumber,
    InvoiceDate,
    Reason,
    SupplierStateCode,
    TaxablePaise,
    CgstPaise,
    SgstPaise,
    UtgstPaise,
    IgstPaise,
    TotalPaise,
    RefundId,
    ActorUserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TaxNoteLines {
    Table,
    Id,
    NoteId,
    OrderLineId,
    Position,
    Description,
    Hsn,
    Quantity,
    RateBp,
    PlaceOfSupply,
    TaxablePaise,
    CgstPaise,
    SgstPaise,
    UtgstPaise,
    IgstPaise,
    TotalPaise,
}

#[derive(DeriveIden)]
enum NoteSequences {
    Table,
    CooperativeId,
    FinancialYear,
    Kind,
    LastNumber,
}

#[derive(DeriveIden)]
enum Fulfilments {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TaxNotes::Table)
                    .col(pk_uuid(TaxNotes::Id))
                    .col(string(TaxNotes::Kind))
                    .col(uuid(TaxNotes::CooperativeId))
                    .col(uuid(TaxNotes::OrderId))
                    .col(uuid(TaxNotes::FulfilmentId))
                    .col(string(TaxNotes::Number))
                    .col(date(TaxNotes::NoteDate))
                    .col(string(TaxNotes::FinancialYear))
                    .col(string(TaxNotes::InvoiceNumber))
                    .col(date(TaxNotes::InvoiceDate))
                    .col(text(TaxNotes::Reason))
                    .col(string(TaxNotes::SupplierStateCode))
                    .col(big_integer(TaxNotes::TaxablePaise))
                    .col(big_integer(TaxNotes::CgstPaise))
                    .col(big_integer(TaxNotes::SgstPaise))
                    .col(big_integer(TaxNotes::UtgstPaise))
                    .col(big_integer(TaxNotes::IgstPaise))
                    .col(big_integer(TaxNotes::TotalPaise))
                    .col(uuid_null(TaxNotes::RefundId))
                    .col(uuid_null(TaxNotes::ActorUserId))
                    .col(timestamp_with_time_zone(TaxNotes::CreatedAt))
                    .check(Expr::col(TaxNotes::TotalPaise).gt(0))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_tax_notes_fulfilment")
                            .from(TaxNotes::Table, TaxNotes::FulfilmentId)
                            .to(Fulfilments::Table, Fulfilments::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_tax_notes_number")
                    .table(TaxNotes::Table)
                    .col(TaxNotes::CooperativeId)
                    .col(TaxNotes::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One credit note per refund, however often the refund's effects are replayed.
        manager
            .create_index(
                Index::create()
                    .name("ux_tax_notes_refund")
                    .table(TaxNotes::Table)
                    .col(TaxNotes::RefundId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tax_notes_fulfilment")
                    .table(TaxNotes::Table)
                    .col(TaxNotes::FulfilmentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tax_notes_cooperative_date")
                    .table(TaxNotes::Table)
                    .col(TaxNotes::CooperativeId)
                    .col(TaxNotes::NoteDate)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TaxNoteLines::Table)
                    .col(pk_uuid(TaxNoteLines::Id))
                    .col(uuid(TaxNoteLines::NoteId))
                    .col(uuid(TaxNoteLines::OrderLineId))
                    .col(integer(TaxNoteLines::Position))
                    .col(text(TaxNoteLines::Description))
                    .col(string(TaxNoteLines::Hsn))
                    .col(integer(TaxNoteLines::Quantity))
                    .col(integer(TaxNoteLines::RateBp))
                    .col(string(TaxNoteLines::PlaceOfSupply))
                    .col(big_integer(TaxNoteLines::TaxablePaise))
                    .col(big_integer(TaxNoteLines::CgstPaise))
                    .col(big_integer(TaxNoteLines::SgstPaise))
                    .col(big_integer(TaxNoteLines::UtgstPaise))
                    .col(big_integer(TaxNoteLines::IgstPaise))
                    .col(big_integer(TaxNoteLines::TotalPaise))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_tax_note_lines_note")
                            .from(TaxNoteLines::Table, TaxNoteLines::NoteId)
                            .to(TaxNotes::Table, TaxNotes::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tax_note_lines_note")
                    .table(TaxNoteLines::Table)
                    .col(TaxNoteLines::NoteId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NoteSequences::Table)
                    .col(uuid(NoteSequences::CooperativeId))
                    .col(string(NoteSequences::FinancialYear))
                    .col(string(NoteSequences::Kind))
                    .col(integer(NoteSequences::LastNumber))
                    .primary_key(
                        Index::create()
                            .col(NoteSequences::CooperativeId)
                            .col(NoteSequences::FinancialYear)
                            .col(NoteSequences::Kind),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            NoteSequences::Table.into_iden(),
            TaxNoteLines::Table.into_iden(),
            TaxNotes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
