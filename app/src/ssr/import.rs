//! A CSV file split into its heading and rows, whichever way a spreadsheet wrote it:
//! with or without a UTF-8 byte-order mark, `;`, `,` or tab between fields, quoted
//! fields holding separators and line breaks. Text that is not UTF-8 (a spreadsheet's
//! "CSV" in Windows-1252, say) is refused with the line it goes wrong on, never turned
//! into garbage.

use crate::error::{AppError, AppResult};

/// The most rows one file may hold.
pub const ROWS_MAX: usize = 200_000;
/// The largest file read, in bytes.
pub const BYTES_MAX: usize = 100 * 1024 * 1024;

/// A file's heading and rows, each row with the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

pub fn read(bytes: &[u8]) -> AppResult<Sheet> {
    if bytes.len() > BYTES_MAX {
        return Err(AppError::invalid(
            "file",
            format!("is larger than {} MB", BYTES_MAX / 1024 / 1024),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        AppError::invalid(
            "file",
            format!(
                "is not UTF-8 text (line {line} holds a character in another encoding, \
                 such as Windows-1252): save it as “CSV UTF-8” and try again"
            ),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(text))
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::invalid("file", format!("cannot be read as CSV: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(AppError::invalid(
            "file",
            "is empty: its first line must name the columns",
        ));
    }
    let mut rows = Vec::new();
    // The reader tells where the record before each one ended; the line a row starts
    // on is counted here, past the line breaks (and blank lines) after that.
    let bytes = text.as_bytes();
    let (mut counted_to, mut line_breaks) = (0usize, 0u64);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            AppError::invalid("file", format!("cannot be read as CSV at line {line}: {e}"))
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == ROWS_MAX {
            return Err(AppError::invalid(
                "file",
                format!("holds more than {ROWS_MAX} rows: split it"),
            ));
        }
        let after = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(bytes.len());
        let start = after
            + bytes[after..]
                .iter()
                .take_while(|b| **b == b'\r' || **b == b'\n')
                .count();
        line_breaks += bytes[counted_to.min(start)..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted_to = start;
        let line = line_breaks + 1;
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(Sheet { header, rows })
}

/// The separator the heading uses most, outside quotes: `;` (what a spreadsheet set to
/// Swedish writes), `,` or a tab.
fn separator(text: &str) -> u8 {
    let mut counts = [(b';', 0), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in text.bytes() {
        if b == b'\n' && !quoted {
            break;
        }
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(c) = counts.iter_mut().find(|(s, _)| *s == b) {
                c.1 += 1;
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(s, n)| (*n, *s == b','))
        .map(|(s, _)| *s)
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swedish_spreadsheets_file_with_a_bom_semicolons_and_a_quoted_line_break_is_read() {
        let file = "\u{feff}Title;Value;Note\r\nAcme;12 500,50;\"Two\nlines; one field\"\r\n\r\nBeta;100;x\r\n";
        let sheet = read(file.as_bytes()).unwrap();
        assert_eq!(sheet.header, ["Title", "Value", "Note"]);
        assert_eq!(sheet.rows.len(), 2, "the blank line is skipped");
        assert_eq!(
            sheet.rows[0],
            (
                2,
                vec![
                    "Acme".into(),
                    "12 500,50".into(),
                    "Two\nlines; one field".into()
                ]
            )
        );
        assert_eq!(
            sheet.rows[1].0, 5,
            "the line the row starts on, after the two-line field"
        );
    }

    #[test]
    fn commas_and_tabs_are_found_too() {
        assert_eq!(read(b"a,b\n1,2\n").unwrap().rows[0].1, ["1", "2"]);
        assert_eq!(read(b"a\tb\n1\t2\n").unwrap().rows[0].1, ["1", "2"]);
        assert_eq!(
            separator("\"x;y\",b,c\n"),
            b',',
            "a quoted ; does not count"
        );
    }

    #[test]
    fn a_file_in_another_encoding_is_refused_with_its_line() {
        let latin1 = b"name\nEva\nJ\xf6rgen\n";
        let err = read(latin1).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 3") && text.contains("UTF-8"), "{text}");
        assert!(read(b"").is_err());
    }
}
