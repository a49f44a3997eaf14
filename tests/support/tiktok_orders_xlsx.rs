//! TikTok order exports as XLSX, generated in memory from the CSV fixture
//! (so no binary is committed): the same rows on a sheet, amounts typed as
//! numbers the way Excel stores them, ids as text — or, to show what a
//! re-saved workbook does to them, as numbers — and optionally the
//! understated `<dimension>` TikTok writes.
#![allow(dead_code)]

use std::io::{Cursor, Read, Write};

/// How to shape the workbook.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub sheet: &'static str,
    /// Write `Order ID` and `SKU ID` cells as numbers (digits lost past 15).
    pub ids_as_numbers: bool,
    /// Rewrite the sheet's `<dimension>` to `A1:U2`, as TikTok's files have it.
    pub understate_dimension: bool,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            sheet: "OrderSKUList",
            ids_as_numbers: false,
            understate_dimension: true,
        }
    }
}

/// Columns whose cells are written as numbers when they hold one.
const NUMERIC: [&str; 15] = [
    "Quantity",
    "Sku Quantity of return",
    "SKU Unit Original Price",
    "SKU Subtotal Before Discount",
    "SKU Platform Discount",
    "SKU Seller Discount",
    "SKU Subtotal After Discount",
    "Shipping Fee After Discount",
    "Original Shipping Fee",
    "Shipping Fee Seller Discount",
    "Shipping Fee Platform Discount",
    "Payment platform discount",
    "Retail Delivery Fee",
    "Taxes",
    "Order Amount",
];

const IDS: [&str; 2] = ["Order ID", "SKU ID"];

/// The workbook for a CSV order export's bytes.
pub fn workbook_from_csv(csv_bytes: &[u8], shape: Shape) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_bytes);
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|c| c.trim_start_matches('\u{feff}').to_string())
                .collect()
        })
        .collect();
    let header = records[0].clone();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(shape.sheet).unwrap();
    for (r, record) in records.iter().enumerate() {
        for (c, cell) in record.iter().enumerate() {
            let column = header.get(c).map(String::as_str).unwrap_or("");
            let (row, col) = (r as u32, c as u16);
            let number = cell.trim().parse::<f64>().ok();
            let as_number = r > 0
                && number.is_some()
                && (NUMERIC.contains(&column) || (shape.ids_as_numbers && IDS.contains(&column)));
            if cell.is_empty() {
                continue;
            }
            if as_number {
                sheet.write_number(row, col, number.unwrap()).unwrap();
            } else {
                sheet.write_string(row, col, cell).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    if shape.understate_dimension {
        understate_dimension(&bytes)
    } else {
        bytes
    }
}

/// Rewrites `xl/worksheets/sheet1.xml`'s `<dimension ref="…"/>` to `A1:U2`.
pub fn understate_dimension(xlsx: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let name = member.name().to_string();
        let mut content = Vec::new();
        member.read_to_end(&mut content).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(content).unwrap();
            let start = text.find("<dimension ref=\"").unwrap() + "<dimension ref=\"".len();
            let end = start + text[start..].find('"').unwrap();
            let rewritten = format!("{}A1:U2{}", &text[..start], &text[end..]);
            assert_ne!(rewritten, text, "the dimension was rewritten");
            content = rewritten.into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}
