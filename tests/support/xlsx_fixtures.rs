//! XLSX fixtures written in memory with rust_xlsxwriter, shaped like the
//! TikTok Shop finance workbooks formats.md describes (no real file was
//! available; the data is fictional). Tests get the sheets as grids, edit
//! cells to break them, and write the bytes; `with_dimension` rewrites a
//! sheet's `<dimension>` to the understated range TikTok writes.

use std::io::{Cursor, Read, Write};

use rust_xlsxwriter::{Format, Workbook};

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A formula and the result cached with it.
    Formula(String, String),
    /// A formatted empty cell: what pads TikTok's used range.
    Blank,
}

pub fn t(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

pub fn n(x: f64) -> Cell {
    Cell::Number(x)
}

#[derive(Clone, Debug)]
pub struct Sheet {
    pub name: String,
    /// Rows from Excel row 1.
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &str, rows: Vec<Vec<Cell>>) -> Self {
        Sheet {
            name: name.to_string(),
            rows,
        }
    }

    /// The column whose header (on Excel row `header_row`) is `name`,
    /// spaces around it aside.
    pub fn column(&self, header_row: usize, name: &str) -> usize {
        self.rows[header_row - 1]
            .iter()
            .position(|c| matches!(c, Cell::Text(h) if h.trim() == name.trim()))
            .unwrap_or_else(|| panic!("no column `{name}` in sheet `{}`", self.name))
    }

    /// Sets the cell on Excel row `row` under header `name`.
    pub fn set(&mut self, header_row: usize, row: usize, name: &str, cell: Cell) {
        let c = self.column(header_row, name);
        let cells = &mut self.rows[row - 1];
        if cells.len() <= c {
            cells.resize(c + 1, Cell::Blank);
        }
        cells[c] = cell;
    }

    /// Adds a column at the end (header and one cell per data row).
    pub fn add_column(&mut self, header_row: usize, name: &str, cells: &[(usize, Cell)]) {
        let at = self.rows[header_row - 1].len();
        self.rows[header_row - 1].push(t(name));
        for (row, cell) in cells {
            let r = &mut self.rows[row - 1];
            if r.len() <= at {
                r.resize(at + 1, t("/"));
            }
            r[at] = cell.clone();
        }
    }
}

/// Writes the sheets as an XLSX workbook.
pub fn xlsx(sheets: &[Sheet]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let blank = Format::new();
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(&sheet.name).unwrap();
        for (r, cells) in sheet.rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    Cell::Number(x) => {
                        ws.write_number(r, c, *x).unwrap();
                    }
                    Cell::Formula(f, cached) => {
                        ws.write_formula(r, c, f.as_str()).unwrap();
                        ws.set_formula_result(r, c, cached);
                    }
                    Cell::Blank => {
                        ws.write_blank(r, c, &blank).unwrap();
                    }
                }
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// The same workbook with `xl/worksheets/sheet{number}.xml`'s `<dimension>`
/// rewritten to `range` (TikTok writes `A1:U2` over thousands of rows).
pub fn with_dimension(bytes: &[u8], number: usize, range: &str) -> Vec<u8> {
    let target = format!("xl/worksheets/sheet{number}.xml");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut rewritten = false;
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let name = member.name().to_string();
        let mut data = Vec::new();
        member.read_to_end(&mut data).unwrap();
        if name == target {
            let xml = String::from_utf8(data).unwrap();
            let start = xml.find("<dimension ref=\"").expect("a dimension element");
            let end = start + xml[start..].find("/>").unwrap() + 2;
            data = format!(
                "{}<dimension ref=\"{range}\"/>{}",
                &xml[..start],
                &xml[end..]
            )
            .into_bytes();
            rewritten = true;
        }
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    assert!(rewritten, "no {target} in the workbook");
    out.finish().unwrap().into_inner()
}

/// The `<dimension>` a sheet declares.
pub fn dimension(bytes: &[u8], number: usize) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    archive
        .by_name(&format!("xl/worksheets/sheet{number}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let start = xml.find("<dimension ref=\"").unwrap() + 16;
    xml[start..start + xml[start..].find('"').unwrap()].to_string()
}

/// A row under `headers`: each named cell where given (the last given
/// wins), `default` elsewhere.
pub fn row(headers: &[&str], values: &[(&str, Cell)], default: &Cell) -> Vec<Cell> {
    for (name, _) in values {
        assert!(
            headers.iter().any(|h| h.trim() == name.trim()),
            "no header `{name}`"
        );
    }
    headers
        .iter()
        .map(|h| {
            values
                .iter()
                .rev()
                .find(|(name, _)| name.trim() == h.trim())
                .map(|(_, c)| c.clone())
                .unwrap_or_else(|| default.clone())
        })
        .collect()
}

// ---------------------------------------------------------------------------
// TikTok Shop income export, Malaysia (SEA layout): sheets Reports, Order
// details, Withdrawal records and a fee explanation sheet. Headers carry the
// trailing spaces real MY files have; zeros are `/`; ids are 18/19-digit
// text; amounts are numbers on most rows and text on one.

/// The `Order details` sheet is the workbook's second (`sheet2.xml`).
pub const INCOME_DETAILS_SHEET_NUMBER: usize = 2;
/// Excel row of the `Order details` header.
pub const INCOME_HEADER_ROW: usize = 1;

pub const MY_HEADERS: &[&str] = &[
    "Order/adjustment ID  ",
    "Type ",
    "Order created time",
    "Order settled time",
    "Currency",
    "Total settlement amount",
    "Total revenue",
    "Subtotal after seller discounts",
    "Subtotal before discounts",
    "Seller discounts",
    "Refund subtotal after seller discounts",
    "Refund subtotal before seller discounts",
    "Refund of seller discounts",
    "Total fees",
    "Transaction fee",
    "TikTok Shop commission fee",
    "Seller shipping fee",
    "Actual shipping fee ",
    "Platform shipping fee discount",
    "Customer shipping fee",
    "Actual return shipping fee",
    "Refunded customer shipping fee",
    "Shipping fee subsidy",
    "Affiliate commission ",
    "Affiliate Shop Ads commission ",
    "Affiliate partner commission ",
    "SFP service fee",
    "Voucher Xtra service fee",
    "SST",
    "Adjustment amount",
    "Related order ID",
    "Customer payment",
    "Customer refund",
    "Seller co-funded voucher discount",
    "Refund of seller co-funded voucher discount",
    "Platform discounts",
    "Refund of platform discounts",
    "Platform co-funded voucher discounts",
    "Refund of platform co-funded voucher discounts",
    "Seller shipping fee discount",
    "Estimated package weight (g)",
    "Actual package weight (g)",
];

/// Order ids of the MY fixture.
pub const MY_ORDER_1: &str = "577001234567890101";
pub const MY_ORDER_2: &str = "577001234567890102";
/// Settles twice: paid on 2026/03/03, reversed on 2026/03/05.
pub const MY_ORDER_TWICE: &str = "577001234567890103";
pub const MY_ORDER_4: &str = "577001234567890104";
/// A platform reimbursement for order 2.
pub const MY_ADJUSTMENT_REIMBURSEMENT: &str = "7300012345678901234";
/// A deduction with no related order.
pub const MY_ADJUSTMENT_DEDUCTION: &str = "7300012345678905678";
/// Padded blank rows after the data.
pub const MY_PADDING_ROWS: usize = 25;

fn order_row(values: &[(&str, Cell)]) -> Vec<Cell> {
    row(MY_HEADERS, values, &t("/"))
}

/// The `Order details` grid of the MY fixture: header, 7 data rows (Excel
/// rows 2–8), then blank padding.
pub fn my_order_details() -> Vec<Vec<Cell>> {
    let mut rows = vec![MY_HEADERS.iter().map(|h| t(h)).collect::<Vec<_>>()];
    let base = |id: &str, kind: &str, created: &str, settled: &str| {
        vec![
            ("Order/adjustment ID  ", t(id)),
            ("Type ", t(kind)),
            ("Order created time", t(created)),
            ("Order settled time", t(settled)),
            ("Currency", t("MYR")),
        ]
    };
    // Row 2: an order with a seller discount, an affiliate and the seller's
    // shipping netting to zero (6.50 label − 4.00 platform − 2.50 buyer).
    let mut r = base(MY_ORDER_1, "Order", "2026/02/27", "2026/03/02");
    r.extend([
        ("Total settlement amount", n(83.03)),
        ("Total revenue", n(108.00)),
        ("Subtotal after seller discounts", n(108.00)),
        ("Subtotal before discounts", n(120.00)),
        ("Seller discounts", n(-12.00)),
        ("Total fees", n(-24.97)),
        ("Transaction fee", n(-2.59)),
        ("TikTok Shop commission fee", n(-7.56)),
        ("Seller shipping fee", n(0.0)),
        ("Actual shipping fee ", n(-6.50)),
        ("Platform shipping fee discount", n(4.00)),
        ("Customer shipping fee", n(2.50)),
        ("Affiliate commission ", n(-10.80)),
        ("SFP service fee", n(-3.24)),
        ("SST", n(-0.78)),
        ("Customer payment", n(110.50)),
        ("Platform discounts", n(0.0)),
        ("Estimated package weight (g)", n(350.0)),
        ("Actual package weight (g)", n(420.0)),
    ]);
    rows.push(order_row(&r));
    // Row 3: amounts written as text.
    let mut r = base(MY_ORDER_2, "Order", "2026/02/28", "2026/03/02");
    r.extend([
        ("Total settlement amount", t("52.71")),
        ("Total revenue", t("59.90")),
        ("Subtotal after seller discounts", t("59.90")),
        ("Subtotal before discounts", t("59.90")),
        ("Total fees", t("-7.19")),
        ("Transaction fee", t("-1.29")),
        ("TikTok Shop commission fee", t("-3.77")),
        ("Seller shipping fee", t("0.00")),
        ("Actual shipping fee ", t("-4.90")),
        ("Platform shipping fee discount", t("4.90")),
        ("SFP service fee", t("-1.80")),
        ("SST", t("-0.33")),
        ("Customer payment", t("59.90")),
        ("Estimated package weight (g)", t("200")),
    ]);
    rows.push(order_row(&r));
    // Row 4: order 3 is paid …
    let mut r = base(MY_ORDER_TWICE, "Order", "2026/02/28", "2026/03/03");
    r.extend([
        ("Total settlement amount", n(36.52)),
        ("Total revenue", n(40.50)),
        ("Subtotal after seller discounts", n(40.50)),
        ("Subtotal before discounts", n(45.00)),
        ("Seller discounts", n(-4.50)),
        ("Total fees", n(-3.98)),
        ("Transaction fee", n(-0.97)),
        ("TikTok Shop commission fee", n(-2.84)),
        ("Seller shipping fee", n(0.0)),
        ("Actual shipping fee ", n(-5.20)),
        ("Platform shipping fee discount", n(3.00)),
        ("Customer shipping fee", n(2.20)),
        ("SST", n(-0.17)),
        ("Customer payment", n(42.70)),
    ]);
    rows.push(order_row(&r));
    // Row 5: … and reversed two days later, under the same id and type.
    let mut r = base(MY_ORDER_TWICE, "Order", "2026/02/28", "2026/03/05");
    r.extend([
        ("Total settlement amount", n(-43.92)),
        ("Total revenue", n(-40.50)),
        ("Refund subtotal after seller discounts", n(-40.50)),
        ("Refund subtotal before seller discounts", n(-45.00)),
        ("Refund of seller discounts", n(4.50)),
        ("Total fees", n(-3.42)),
        ("Transaction fee", n(0.97)),
        ("TikTok Shop commission fee", n(2.84)),
        ("Seller shipping fee", n(-7.40)),
        ("Actual return shipping fee", n(-5.20)),
        ("Refunded customer shipping fee", n(-2.20)),
        ("SST", n(0.17)),
        ("Customer refund", n(-42.70)),
    ]);
    rows.push(order_row(&r));
    // Row 6: a platform reimbursement about order 2.
    let mut r = base(
        MY_ADJUSTMENT_REIMBURSEMENT,
        "Platform reimbursement",
        "/",
        "2026/03/04",
    );
    r.extend([
        ("Total settlement amount", n(15.00)),
        ("Adjustment amount", n(15.00)),
        ("Related order ID", t(MY_ORDER_2)),
    ]);
    rows.push(order_row(&r));
    // Row 7: a deduction about no order.
    let mut r = base(
        MY_ADJUSTMENT_DEDUCTION,
        "Deductions incurred by seller",
        "/",
        "2026/03/04",
    );
    r.extend([
        ("Total settlement amount", n(-8.00)),
        ("Adjustment amount", n(-8.00)),
    ]);
    rows.push(order_row(&r));
    // Row 8: partner and shop-ads commissions, a shipping subsidy.
    let mut r = base(MY_ORDER_4, "Order", "2026/03/01", "2026/03/06");
    r.extend([
        ("Total settlement amount", n(154.90)),
        ("Total revenue", n(189.00)),
        ("Subtotal after seller discounts", n(189.00)),
        ("Subtotal before discounts", n(210.00)),
        ("Seller discounts", n(-21.00)),
        ("Total fees", n(-34.10)),
        ("Transaction fee", n(-4.54)),
        ("TikTok Shop commission fee", n(-13.23)),
        ("Seller shipping fee", n(0.0)),
        ("Actual shipping fee ", n(-8.80)),
        ("Customer shipping fee", n(4.90)),
        ("Shipping fee subsidy", n(3.90)),
        ("Affiliate Shop Ads commission ", n(-3.78)),
        ("Affiliate partner commission ", n(-5.67)),
        ("Voucher Xtra service fee", n(-5.67)),
        ("SST", n(-1.21)),
        ("Customer payment", n(193.90)),
    ]);
    rows.push(order_row(&r));
    for _ in 0..MY_PADDING_ROWS {
        rows.push(vec![Cell::Blank; MY_HEADERS.len()]);
    }
    rows
}

pub fn my_reports() -> Vec<Vec<Cell>> {
    let label = |depth: usize, l: &str, v: Cell| {
        let mut r = vec![Cell::Blank; 6];
        r[depth] = t(l);
        r[5] = v;
        r
    };
    vec![
        vec![t("Income statement")],
        label(0, "Time period:", t("2026/03/01-2026/03/07")),
        label(0, "Timezone", t("UTC+8")),
        label(0, "Currency", t("MYR")),
        label(0, "Total settlement amount", n(290.24)),
        label(1, "Total revenue", n(356.90)),
        label(2, "Subtotal after seller discounts", n(397.40)),
        label(2, "Refund subtotal after seller discounts", n(-40.50)),
        label(1, "Total fees", n(-73.66)),
        label(2, "Transaction fee", n(-8.42)),
        label(1, "Total adjustments", n(7.00)),
    ]
}

pub const MY_WITHDRAWAL_1: &str = "8800000000000012345";
pub const MY_WITHDRAWAL_2: &str = "8800000000000012399";

pub fn my_withdrawals() -> Vec<Vec<Cell>> {
    let r = |kind: &str, id: &str, requested: &str, amount: f64, done: &str, bank: &str| {
        vec![
            t(kind),
            t(id),
            t(requested),
            n(amount),
            t("Transferred"),
            t(done),
            t(bank),
        ]
    };
    vec![
        [
            "Type",
            "Reference ID",
            "Request time",
            "Amount",
            "Status",
            "Success time",
            "Bank account",
        ]
        .iter()
        .map(|h| t(h))
        .collect(),
        r(
            "Earnings",
            "6600000000000000101",
            "2026/03/02 23:59:59",
            135.74,
            "2026/03/02 23:59:59",
            "/",
        ),
        r(
            "Withdrawal",
            MY_WITHDRAWAL_1,
            "2026/03/03 10:00:00",
            -135.74,
            "2026/03/03 15:30:00",
            "MAYBANK ****4321",
        ),
        r(
            "Earnings",
            "6600000000000000102",
            "2026/03/03 23:59:59",
            36.52,
            "2026/03/03 23:59:59",
            "/",
        ),
        r(
            "GMV Pay Deduction",
            "6700000000000000001",
            "2026/03/04 09:00:00",
            -20.00,
            "2026/03/04 09:00:00",
            "/",
        ),
        r(
            "Withdrawal",
            MY_WITHDRAWAL_2,
            "2026/03/06 10:00:00",
            -16.52,
            "2026/03/06 14:05:00",
            "MAYBANK ****4321",
        ),
    ]
}

/// The MY income workbook's sheets, in TikTok's order.
pub fn income_myr() -> Vec<Sheet> {
    vec![
        Sheet::new("Reports", my_reports()),
        Sheet::new("Order details", my_order_details()),
        Sheet::new("Withdrawal records", my_withdrawals()),
        Sheet::new(
            "Fee explanation",
            vec![
                vec![t("Fee"), t("Explanation")],
                vec![t("Transaction fee"), t("Charged on every order.")],
            ],
        ),
    ]
}

// ---------------------------------------------------------------------------
// TikTok Shop income export, US (older US layout): the accounting model's
// worked example, renamed headers (`Order\adjustment ID`, `Transaction
// type`, `Total Revenue`, `Total Fees`), the zone in the time headers, a
// `Statement ID` and SKU-level rows.

pub const US_HEADERS: &[&str] = &[
    "Order\\adjustment ID",
    "Transaction type",
    "Order created time(UTC)",
    "Order settled time(UTC)",
    "Currency",
    "Statement ID",
    "SKU ID",
    "Quantity",
    "Total settlement amount",
    "Total Revenue",
    "Subtotal after seller discounts",
    "Subtotal before discounts",
    "Seller discounts",
    "Refund subtotal after seller discounts",
    "Refund subtotal before seller discounts",
    "Refund of seller discounts",
    "Total Fees",
    "Transaction fee",
    "TikTok Shop commission fee",
    "Seller shipping fee",
    "Actual shipping fee",
    "Platform shipping fee discount",
    "Customer shipping fee",
    "Affiliate commission",
    "Adjustment amount",
    "Related order ID",
    "Customer payment",
    "Platform discounts",
];

pub const US_WORKED_ORDER: &str = "576786105183930101";
pub const US_SKU_ORDER: &str = "576786105183930202";
pub const US_STATEMENT: &str = "7300000000000000777";

pub fn us_order_details() -> Vec<Vec<Cell>> {
    let mut rows = vec![US_HEADERS.iter().map(|h| t(h)).collect::<Vec<_>>()];
    let base = |id: &str, sku: &str| {
        vec![
            ("Order\\adjustment ID", t(id)),
            ("Transaction type", t("Order")),
            ("Order created time(UTC)", t("2026/04/10")),
            ("Order settled time(UTC)", t("2026/04/17")),
            ("Currency", t("USD")),
            ("Statement ID", t(US_STATEMENT)),
            ("SKU ID", t(sku)),
            ("Quantity", n(1.0)),
            ("Related order ID", t("/")),
        ]
    };
    // Row 2: the worked example of accounting-model.md, to the cent.
    let mut r = base(US_WORKED_ORDER, "1729384756102938475");
    r.extend([
        ("Total settlement amount", n(36.45)),
        ("Total Revenue", n(45.00)),
        ("Subtotal after seller discounts", n(45.00)),
        ("Subtotal before discounts", n(50.00)),
        ("Seller discounts", n(-5.00)),
        ("Total Fees", n(-8.55)),
        ("Transaction fee", n(-1.35)),
        ("TikTok Shop commission fee", n(-2.70)),
        ("Seller shipping fee", n(0.00)),
        ("Actual shipping fee", n(-7.40)),
        ("Platform shipping fee discount", n(1.41)),
        ("Customer shipping fee", n(5.99)),
        ("Affiliate commission", n(-4.50)),
        ("Adjustment amount", n(0.0)),
        ("Customer payment", n(50.99)),
        ("Platform discounts", n(0.0)),
    ]);
    rows.push(row(US_HEADERS, &r, &n(0.0)));
    // Rows 3–4: one order, two SKU rows, each with its own amounts.
    let mut r = base(US_SKU_ORDER, "1729384756102938001");
    r.extend([
        ("Total settlement amount", n(18.20)),
        ("Total Revenue", n(20.00)),
        ("Subtotal after seller discounts", n(20.00)),
        ("Subtotal before discounts", n(20.00)),
        ("Total Fees", n(-1.80)),
        ("Transaction fee", n(-0.60)),
        ("TikTok Shop commission fee", n(-1.20)),
        ("Customer payment", n(20.00)),
    ]);
    rows.push(row(US_HEADERS, &r, &n(0.0)));
    let mut r = base(US_SKU_ORDER, "1729384756102938002");
    r.extend([
        ("Quantity", n(2.0)),
        ("Total settlement amount", n(10.01)),
        ("Total Revenue", n(11.00)),
        ("Subtotal after seller discounts", n(11.00)),
        ("Subtotal before discounts", n(12.00)),
        ("Seller discounts", n(-1.00)),
        ("Total Fees", n(-0.99)),
        ("Transaction fee", n(-0.33)),
        ("TikTok Shop commission fee", n(-0.66)),
        ("Customer payment", n(11.00)),
    ]);
    rows.push(row(US_HEADERS, &r, &n(0.0)));
    rows
}

/// The US income workbook: Reports (currency and total, no zone: the
/// headers carry it) and Order details; no withdrawal sheet.
pub fn income_usd() -> Vec<Sheet> {
    vec![
        Sheet::new(
            "Reports",
            vec![
                vec![t("Income statement")],
                vec![t("Currency"), Cell::Blank, t("USD")],
                vec![t("Total settlement amount"), Cell::Blank, n(64.66)],
            ],
        ),
        Sheet::new("Order details", us_order_details()),
    ]
}

// ---------------------------------------------------------------------------
// TikTok Shop US P&L statement (merchant_statement_profit_loss_*.xlsx):
// Orders (banner rows, header on row 6, one row per SKU line), Adjustment
// (banner rows, header on row 4, the `llinked payout id` typo, a
// balance/deduction pair) and Order payment info. The banner's wording is
// this fixture's own (the real text is not known); its `Time zone` row is
// what gives the dates a zone.

pub const PL_ORDERS_HEADER_ROW: usize = 6;
pub const PL_ADJUSTMENT_HEADER_ROW: usize = 4;

pub const PL_HEADERS: &[&str] = &[
    "Order ID",
    "SKU ID",
    "SKU name",
    "Product name",
    "Order Income",
    "Order Cost",
    "Net Order Margin",
    "Sold Quantity",
    "Order paid date",
    "Order settled date",
    "linked statement id",
    "linked payout id",
    "Order status",
    "Sample order type",
    "Gross sales",
    "Seller discount",
    "Gross sales refund",
    "Seller discount refund",
    "Affiliate Commission",
    "Affiliate partner commission",
    "Affiliate commission deposit",
    "Affiliate commission refund",
    "Affiliate Shop Ads commission",
    "Affiliate Partner shop ads commission",
    "Referral fee",
    "Refund administration fee",
    "Transaction fee",
    "Sales tax on referral fees",
    "Smart Promotion fee",
    "Smart Promotion fee tax",
    "Campaign resource fee",
    "Campaign service fee",
    "TikTok Shop Partner commission",
    "Managed service plan (Per order fee)",
    "Managed service plan (Sales tax)",
    "TikTok Shop shipping fee",
    "Fulfilled by TikTok Shop shipping fee",
    "Return shipping fee",
    "Return shipping label fee",
    "Shipping fee subsidy",
    "Shipping fee discount",
];

pub const PL_STATEMENT_1: &str = "7123000000000000001";
pub const PL_STATEMENT_2: &str = "7123000000000000002";
pub const PL_PAYOUT_1: &str = "8123000000000000001";
pub const PL_PAYOUT_2: &str = "8123000000000000002";
pub const PL_ORDER_TWO_SKUS: &str = "576900000000000101";
pub const PL_ORDER_2: &str = "576900000000000102";
pub const PL_ORDER_REFUND: &str = "576900000000000090";
pub const PL_ORDER_SAMPLE: &str = "576900000000000103";
pub const PL_ADJUSTMENT_PAIR: &str = "7400000000000000001";

fn pl_row(values: &[(&str, Cell)]) -> Vec<Cell> {
    row(PL_HEADERS, values, &n(0.0))
}

pub fn pl_orders() -> Vec<Vec<Cell>> {
    let mut rows = vec![
        vec![t("Profit and loss statement")],
        vec![t("Shop name"), t("Fictional Goods US")],
        vec![t("Statement period"), t("2026/04/15 - 2026/04/21")],
        vec![t("Time zone"), t("UTC-7")],
        vec![Cell::Blank, Cell::Blank],
        PL_HEADERS.iter().map(|h| t(h)).collect(),
    ];
    let base = |order: &str, sku: &str, statement: &str, payout: &str| {
        vec![
            ("Order ID", t(order)),
            ("SKU ID", t(sku)),
            ("SKU name", t("Default")),
            ("Product name", t("Fictional product")),
            ("Sold Quantity", n(1.0)),
            ("Order paid date", n(20260414.0)),
            ("Order settled date", n(20260421.0)),
            ("linked statement id", t(statement)),
            ("linked payout id", t(payout)),
            ("Order status", t("Completed")),
            ("Sample order type", t("/")),
        ]
    };
    // Rows 7–8: one order, two SKU lines (shipping charged on the first).
    let mut r = base(
        PL_ORDER_TWO_SKUS,
        "1729000000000000011",
        PL_STATEMENT_1,
        PL_PAYOUT_1,
    );
    r.extend([
        ("Order Income", n(18.76)),
        ("Order Cost", n(-8.00)),
        ("Net Order Margin", n(10.76)),
        ("Gross sales", n(29.99)),
        ("Seller discount", n(-3.00)),
        ("Referral fee", n(-2.16)),
        ("Sales tax on referral fees", n(-0.17)),
        ("Affiliate Commission", n(-2.70)),
        ("TikTok Shop shipping fee", n(-4.20)),
        ("Shipping fee subsidy", n(1.00)),
    ]);
    rows.push(pl_row(&r));
    let mut r = base(
        PL_ORDER_TWO_SKUS,
        "1729000000000000022",
        PL_STATEMENT_1,
        PL_PAYOUT_1,
    );
    r.extend([
        ("Order Income", n(10.98)),
        ("Order Cost", n(-4.50)),
        ("Net Order Margin", n(6.48)),
        ("Gross sales", n(15.00)),
        ("Seller discount", n(-1.50)),
        ("Referral fee", n(-1.08)),
        ("Sales tax on referral fees", n(-0.09)),
        ("Affiliate Commission", n(-1.35)),
    ]);
    rows.push(pl_row(&r));
    // Row 9: one SKU, a Smart Promotion fee and its tax.
    let mut r = base(
        PL_ORDER_2,
        "1729000000000000033",
        PL_STATEMENT_1,
        PL_PAYOUT_1,
    );
    r.extend([
        ("Order Income", n(38.08)),
        ("Order Cost", n(-12.00)),
        ("Net Order Margin", n(26.08)),
        ("Gross sales", n(49.00)),
        ("Referral fee", n(-3.92)),
        ("Sales tax on referral fees", n(-0.31)),
        ("Smart Promotion fee", n(-1.47)),
        ("Smart Promotion fee tax", n(-0.12)),
        ("TikTok Shop shipping fee", n(-5.10)),
    ]);
    rows.push(pl_row(&r));
    // Row 10: a refund of an earlier order, in the second statement.
    let mut r = base(
        PL_ORDER_REFUND,
        "1729000000000000011",
        PL_STATEMENT_2,
        PL_PAYOUT_2,
    );
    r.extend([
        ("Order status", t("Refunded")),
        ("Order paid date", n(20260401.0)),
        ("Order Income", n(-25.42)),
        ("Gross sales refund", n(-25.00)),
        ("Seller discount refund", n(2.50)),
        ("Referral fee", n(1.80)),
        ("Refund administration fee", n(-0.36)),
        ("Sales tax on referral fees", n(0.14)),
        ("Return shipping label fee", n(-4.50)),
    ]);
    rows.push(pl_row(&r));
    // Row 11: a free sample: no sales, the label is the seller's.
    let mut r = base(
        PL_ORDER_SAMPLE,
        "1729000000000000044",
        PL_STATEMENT_2,
        PL_PAYOUT_2,
    );
    r.extend([
        ("Sample order type", t("free sample from seller")),
        ("Order Income", n(-4.80)),
        ("Order Cost", n(-6.00)),
        ("Net Order Margin", n(-10.80)),
        ("TikTok Shop shipping fee", n(-4.80)),
    ]);
    rows.push(pl_row(&r));
    for _ in 0..5 {
        rows.push(vec![Cell::Blank; PL_HEADERS.len()]);
    }
    rows
}

pub const PL_ADJ_HEADERS: &[&str] = &[
    "Adjustment ID",
    "Adjustment Type",
    "Adjustment reason",
    "Adjustment amount",
    "Adjustment create time",
    "Adjustment settlement time",
    "linked statement id",
    "llinked payout id",
];

pub fn pl_adjustments() -> Vec<Vec<Cell>> {
    let r = |id: &str, kind: &str, reason: &str, amount: f64, statement: &str, payout: &str| {
        vec![
            t(id),
            t(kind),
            t(reason),
            n(amount),
            n(20260418.0),
            n(20260421.0),
            t(statement),
            t(payout),
        ]
    };
    vec![
        vec![t("Adjustment details")],
        vec![t("Statement period"), t("2026/04/15 - 2026/04/21")],
        vec![Cell::Blank],
        PL_ADJ_HEADERS.iter().map(|h| t(h)).collect(),
        r(
            PL_ADJUSTMENT_PAIR,
            "Net earnings balance",
            "Balance carried from the previous statement",
            12.40,
            PL_STATEMENT_1,
            PL_PAYOUT_1,
        ),
        r(
            PL_ADJUSTMENT_PAIR,
            "Net earnings deduction",
            "Balance carried from the previous statement",
            -12.40,
            PL_STATEMENT_1,
            PL_PAYOUT_1,
        ),
        r(
            "7400000000000000002",
            "Logistics reimbursement",
            "Lost parcel 576900000000000077",
            48.50,
            PL_STATEMENT_2,
            PL_PAYOUT_2,
        ),
    ]
}

/// The US P&L statement workbook's sheets.
pub fn statement_usd() -> Vec<Sheet> {
    vec![
        Sheet::new("Orders", pl_orders()),
        Sheet::new("Adjustment", pl_adjustments()),
        Sheet::new(
            "Order payment info",
            vec![
                vec![t("Order ID"), t("Payment ID"), t("Amount")],
                vec![t(PL_ORDER_2), t("9900000000000000001"), n(49.00)],
            ],
        ),
    ]
}
