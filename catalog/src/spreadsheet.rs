//! Reading an untrusted spreadsheet (CSV or XLSX) into cells, within fixed bounds.
//!
//! A spreadsheet is small on the wire and can be huge once read: a 2 KB XLSX whose
//! used range claims the sheet's last cell made the old reader allocate the whole
//! 17-billion-cell grid, and a zipped sheet or string table can inflate a thousandfold.
//! So nothing here trusts what the file says about itself: the zip entries are counted
//! and inflated (to nowhere) within a byte budget before calamine sees them, the sheet is
//! streamed cell by cell with every position checked against the row and column bounds,
//! and every cell's text counts against a budget for the whole file. A file over any
//! bound fails with a message naming it, never with an allocation the process cannot
//! survive. The bounds are documented in docs/SECURITY.md ("Limits").

use std::io::{Cursor, Read};

/// Largest import file, in bytes (after base64 decoding).
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Data rows per import (the header comes on top).
pub const MAX_ROWS: usize = 5_000;
/// Columns per row: the template's 20 plus attribute columns, with room to spare.
pub const MAX_COLUMNS: usize = 128;
/// Characters a single cell may hold (a long product description fits).
pub const MAX_CELL_BYTES: usize = 20_000;
/// Bytes of one CSV record (one line, or several for quoted line breaks).
pub const MAX_CSV_RECORD_BYTES: usize = 256 * 1024;
/// Non-empty cells per file.
pub const MAX_CELLS: usize = 200_000;
/// Text of all cells together, in bytes: what a read file may hold in memory.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;
/// Entries of an XLSX (zip) file; a workbook written by a spreadsheet has about a dozen.
pub const MAX_ZIP_ENTRIES: usize = 256;
/// Uncompressed bytes of one XLSX entry (the sheet, the shared strings).
pub const MAX_ZIP_ENTRY_BYTES: u64 = 16 * 1024 * 1024;
/// Uncompressed bytes of all XLSX entries together.
pub const MAX_ZIP_TOTAL_BYTES: u64 = 48 * 1024 * 1024;
/// Entries of the shared-string table.
pub const MAX_SHARED_STRINGS: usize = 200_000;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SpreadsheetError(pub String);

fn refuse<T>(message: impl Into<String>) -> Result<T, SpreadsheetError> {
    Err(SpreadsheetError(message.into()))
}

/// Counts cells and their text against the whole-file bounds.
#[derive(Default)]
struct Budget {
    cells: usize,
    text_bytes: usize,
}

impl Budget {
    fn take(&mut self, cell: &str) -> Result<(), SpreadsheetError> {
        if cell.len() > MAX_CELL_BYTES {
            return refuse(format!(
                "a cell holds more than {MAX_CELL_BYTES} characters"
            ));
        }
        self.cells += 1;
        self.text_bytes = self.text_bytes.saturating_add(cell.len());
        if self.cells > MAX_CELLS {
            return refuse(format!("at most {MAX_CELLS} filled cells per import"));
        }
        if self.text_bytes > MAX_TEXT_BYTES {
            return refuse(format!(
                "the cells hold more than {} MiB of text",
                MAX_TEXT_BYTES / (1024 * 1024)
            ));
        }
        Ok(())
    }
}

fn too_many_rows() -> SpreadsheetError {
    SpreadsheetError(format!("at most {MAX_ROWS} rows per import"))
}

fn too_many_columns() -> SpreadsheetError {
    SpreadsheetError(format!("at most {MAX_COLUMNS} columns per import"))
}

fn check_file_size(content: &[u8]) -> Result<(), SpreadsheetError> {
    if content.len() > MAX_FILE_BYTES {
        return refuse(format!(
            "the file is larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    Ok(())
}

/// The rows of a CSV file, cells trimmed.
pub fn read_csv(content: &[u8]) -> Result<Vec<Vec<String>>, SpreadsheetError> {
    check_file_size(content)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(content);
    let mut budget = Budget::default();
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return refuse(format!("the CSV cannot be read: {e}")),
        }
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        if record.len() > MAX_COLUMNS {
            return Err(too_many_columns());
        }
        if record.as_slice().len() > MAX_CSV_RECORD_BYTES {
            return refuse(format!(
                "row {} is longer than {} KiB",
                rows.len() + 1,
                MAX_CSV_RECORD_BYTES / 1024
            ));
        }
        let mut row = Vec::with_capacity(record.len());
        for field in &record {
            let Ok(text) = std::str::from_utf8(field) else {
                return refuse(format!("row {} is not UTF-8 text", rows.len() + 1));
            };
            let text = text.trim();
            budget.take(text)?;
            row.push(text.to_owned());
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Inflates every entry of the zip (to nowhere) within the bounds, and counts the
/// shared strings; declared sizes are checked first and then the real ones, since a
/// crafted entry can declare anything.
fn check_zip(content: &[u8]) -> Result<(), SpreadsheetError> {
    let unreadable =
        |e: zip::result::ZipError| SpreadsheetError(format!("the XLSX file cannot be read: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(content)).map_err(unreadable)?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return refuse(format!(
            "the XLSX file has more than {MAX_ZIP_ENTRIES} parts"
        ));
    }
    let entry_too_big = || {
        SpreadsheetError(format!(
            "a part of the XLSX file unpacks to more than {} MiB",
            MAX_ZIP_ENTRY_BYTES / (1024 * 1024)
        ))
    };
    let total_too_big = || {
        SpreadsheetError(format!(
            "the XLSX file unpacks to more than {} MiB",
            MAX_ZIP_TOTAL_BYTES / (1024 * 1024)
        ))
    };
    let mut declared_total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(unreadable)?;
        if entry.size() > MAX_ZIP_ENTRY_BYTES {
            return Err(entry_too_big());
        }
        declared_total = declared_total.saturating_add(entry.size());
    }
    if declared_total > MAX_ZIP_TOTAL_BYTES {
        return Err(total_too_big());
    }
    let mut actual_total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(unreadable)?;
        let shared_strings = entry
            .name()
            .is_ok_and(|name| name.eq_ignore_ascii_case("xl/sharedStrings.xml"));
        let mut limited = entry.take(MAX_ZIP_ENTRY_BYTES + 1);
        let mut counter = SharedStringCounter::default();
        let mut chunk = [0_u8; 64 * 1024];
        let mut size: u64 = 0;
        loop {
            let read = limited
                .read(&mut chunk)
                .map_err(|e| SpreadsheetError(format!("the XLSX file cannot be read: {e}")))?;
            if read == 0 {
                break;
            }
            size = size.saturating_add(read as u64);
            if shared_strings {
                counter.feed(chunk.get(..read).unwrap_or_default());
                if counter.count > MAX_SHARED_STRINGS {
                    return refuse(format!(
                        "the XLSX file has more than {MAX_SHARED_STRINGS} distinct texts"
                    ));
                }
            }
        }
        if size > MAX_ZIP_ENTRY_BYTES {
            return Err(entry_too_big());
        }
        actual_total = actual_total.saturating_add(size);
        if actual_total > MAX_ZIP_TOTAL_BYTES {
            return Err(total_too_big());
        }
    }
    Ok(())
}

/// Counts `<si>` / `<si …>` elements across chunk boundaries.
#[derive(Default)]
struct SharedStringCounter {
    count: usize,
    /// The last bytes of the previous chunk, for a tag split between chunks.
    tail: Vec<u8>,
}

impl SharedStringCounter {
    fn feed(&mut self, chunk: &[u8]) {
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(chunk);
        self.count += joined
            .windows(4)
            .filter(|w| matches!(w, [b'<', b's', b'i', b'>' | b' ' | b'/']))
            .count();
        let keep = joined.len().saturating_sub(3);
        self.tail = joined.split_off(keep);
    }
}

/// The rows of the first worksheet of an XLSX file, cells trimmed, from the first used
/// row and column on (as a spreadsheet's used range starts).
pub fn read_xlsx(content: &[u8]) -> Result<Vec<Vec<String>>, SpreadsheetError> {
    use calamine::Reader;
    check_file_size(content)?;
    check_zip(content)?;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(content))
        .map_err(|e| SpreadsheetError(format!("the XLSX file cannot be read: {e}")))?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return refuse("the XLSX file has no worksheet");
    };
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| SpreadsheetError(format!("the first worksheet cannot be read: {e}")))?;
    // Positions are absolute; the grid starts at the first filled row and column, and
    // a filled cell beyond the bounds is refused before anything is allocated for it.
    let mut budget = Budget::default();
    let mut cells: Vec<((usize, usize), String)> = Vec::new();
    let mut first: Option<(usize, usize)> = None;
    loop {
        let cell = reader
            .next_cell()
            .map_err(|e| SpreadsheetError(format!("the first worksheet cannot be read: {e}")))?;
        let Some(cell) = cell else { break };
        let (row, column) = cell.get_position();
        let value = calamine::Data::from(cell.get_value().clone());
        if value == calamine::Data::Empty {
            continue;
        }
        let text = value.to_string();
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        budget.take(text)?;
        let (row, column) = (row as usize, column as usize);
        let (first_row, first_column) = match first {
            Some((r, c)) => (r.min(row), c.min(column)),
            None => (row, column),
        };
        first = Some((first_row, first_column));
        cells.push(((row, column), text.to_owned()));
    }
    let Some((first_row, first_column)) = first else {
        return Ok(Vec::new());
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    for ((row, column), text) in cells {
        let (row, column) = (row - first_row, column - first_column);
        if row > MAX_ROWS {
            return Err(too_many_rows());
        }
        if column >= MAX_COLUMNS {
            return Err(too_many_columns());
        }
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        if let Some(cells) = rows.get_mut(row) {
            if cells.len() <= column {
                cells.resize_with(column + 1, String::new);
            }
            if let Some(slot) = cells.get_mut(column) {
                *slot = text;
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(body).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn workbook(sheet: &str, shared: &[u8]) -> Vec<u8> {
        zip_of(&[
            (
                "[Content_Types].xml",
                br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
            ),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
            ("xl/sharedStrings.xml", shared),
        ])
    }

    fn sheet(dimension: &str, cells: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>"#
        )
    }

    const NO_STRINGS: &[u8] = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>"#;

    #[test]
    fn a_small_sheet_reads_from_its_first_filled_cell() {
        let cells = r#"<row r="2"><c r="B2" t="inlineStr"><is><t>sku</t></is></c><c r="C2"><v>5</v></c></row><row r="3"><c r="C3" t="inlineStr"><is><t> x </t></is></c></row>"#;
        let rows = read_xlsx(&workbook(&sheet("B2:C3", cells), NO_STRINGS)).unwrap();
        assert_eq!(
            rows,
            vec![
                vec!["sku".to_owned(), "5".to_owned()],
                vec![String::new(), "x".to_owned()]
            ]
        );
    }

    #[test]
    fn a_used_range_claiming_the_last_cell_is_refused_without_the_grid() {
        let cells = r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#;
        let file = workbook(&sheet("A1:XFD1048576", cells), NO_STRINGS);
        assert!(file.len() < 4096);
        let error = read_xlsx(&file).unwrap_err();
        assert!(error.0.contains("rows"), "{error}");
        let wide = r#"<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>"#;
        let error = read_xlsx(&workbook(&sheet("A1:XFD1", wide), NO_STRINGS)).unwrap_err();
        assert!(error.0.contains("columns"), "{error}");
    }

    #[test]
    fn a_zip_bomb_is_refused_by_its_real_size() {
        // 40 MiB of one repeated byte deflates to a few tens of KiB.
        let mut padding = b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">".to_vec();
        padding.extend(std::iter::repeat_n(b' ', 40 * 1024 * 1024));
        padding.extend_from_slice(b"</sst>");
        let file = workbook(&sheet("A1", ""), &padding);
        assert!(file.len() < MAX_FILE_BYTES);
        let error = read_xlsx(&file).unwrap_err();
        assert!(error.0.contains("unpacks"), "{error}");
    }

    #[test]
    fn too_many_shared_strings_are_refused() {
        let mut shared = b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">".to_vec();
        for _ in 0..=MAX_SHARED_STRINGS {
            shared.extend_from_slice(b"<si><t>a</t></si>");
        }
        shared.extend_from_slice(b"</sst>");
        let error = read_xlsx(&workbook(&sheet("A1", ""), &shared)).unwrap_err();
        assert!(error.0.contains("distinct texts"), "{error}");
    }

    #[test]
    fn shared_strings_are_counted_across_chunks() {
        let mut counter = SharedStringCounter::default();
        counter.feed(b"<sst><s");
        counter.feed(b"i><t>a</t></si><si ");
        counter.feed(b"x='1'><t>b</t></si><sig>");
        assert_eq!(counter.count, 2);
    }

    #[test]
    fn csv_bounds_rows_columns_cells_and_records() {
        let rows = "a\n".repeat(MAX_ROWS + 2);
        assert!(read_csv(rows.as_bytes()).unwrap_err().0.contains("rows"));
        assert_eq!(
            read_csv("a\n".repeat(MAX_ROWS + 1).as_bytes())
                .unwrap()
                .len(),
            MAX_ROWS + 1
        );
        let wide = ",".repeat(MAX_COLUMNS);
        assert!(read_csv(wide.as_bytes()).unwrap_err().0.contains("columns"));
        let long_cell = "x".repeat(MAX_CELL_BYTES + 1);
        assert!(
            read_csv(long_cell.as_bytes())
                .unwrap_err()
                .0
                .contains("characters")
        );
        let long_record = vec!["y".repeat(MAX_CELL_BYTES); 14].join(",");
        assert!(
            read_csv(long_record.as_bytes())
                .unwrap_err()
                .0
                .contains("KiB")
        );
        let huge = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(read_csv(&huge).unwrap_err().0.contains("MiB"));
        assert!(read_csv(b"\xff\xfe,a").unwrap_err().0.contains("UTF-8"));
    }
}
