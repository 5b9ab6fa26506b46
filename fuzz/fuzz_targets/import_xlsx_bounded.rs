//! The XLSX reader within its bounds: any bytes are read into at most the documented
//! rows, columns and cell sizes, or refused.
#![no_main]

use catalog::spreadsheet::{MAX_CELL_BYTES, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_FILE_BYTES {
        return;
    }
    if let Ok(rows) = catalog::spreadsheet::read_xlsx(data) {
        assert!(rows.len() <= MAX_ROWS + 1);
        for row in &rows {
            assert!(row.len() <= MAX_COLUMNS);
            assert!(row.iter().all(|cell| cell.len() <= MAX_CELL_BYTES));
        }
    }
});
