//! The date-range report's columns by their English (US) names, with the
//! names other versions and locales give them, and the component code of
//! each money column.
//!
//! Sources of the aliases:
//! - US 2024 (30 columns): the real sample in `../shared/samples`.
//! - US 2017 (23 columns: `sales tax collected`, `Marketplace Facilitator
//!   Tax`), UK (`fulfilment`, `postage credits`): formats.md 5c [3P].
//! - FR: a third-party fixture of a French file (`date/heure`, `numéro de
//!   versement`, `ventes de produits` …, `Statut de la transaction`).
//! - DE, ES, IT: Seller Central's translations as best known here; NOT
//!   verified against a real file. A wrong alias makes the column unknown:
//!   inside the money block that is schema drift (the import stops and
//!   names it), never a silently dropped amount.

/// One column: its English name, every name it goes by (normalized: lower
/// case, single spaces, `’` written `'`), and for money columns the codes
/// for (sale rows, refund rows).
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub codes: Option<(&'static str, &'static str)>,
}

const fn text(name: &'static str, aliases: &'static [&'static str]) -> Column {
    Column {
        name,
        aliases,
        codes: None,
    }
}

const fn money(
    name: &'static str,
    aliases: &'static [&'static str],
    sale: &'static str,
    refund: &'static str,
) -> Column {
    Column {
        name,
        aliases,
        codes: Some((sale, refund)),
    }
}

pub const DATE_TIME: &str = "date/time";
pub const SETTLEMENT_ID: &str = "settlement id";
pub const TYPE: &str = "type";
pub const ORDER_ID: &str = "order id";
pub const DESCRIPTION: &str = "description";
pub const MARKETPLACE: &str = "marketplace";
/// The row's net figure: a check, not a component.
pub const TOTAL: &str = "total";

/// The `date/time` names of localized files: their amounts use a decimal
/// comma whatever the currency.
pub const LOCALIZED_DATE_TIME: [&str; 5] = [
    "date/heure",
    "datum/uhrzeit",
    "fecha y hora",
    "fecha/hora",
    "data/ora",
];

pub const COLUMNS: &[Column] = &[
    text(
        DATE_TIME,
        &[
            "date/time",
            "date/heure",
            "datum/uhrzeit",
            "fecha y hora",
            "fecha/hora",
            "data/ora",
        ],
    ),
    text(
        SETTLEMENT_ID,
        &[
            "settlement id",
            "numéro de versement",
            "abrechnungsnummer",
            "identificador de pago",
            "número de liquidación",
            "numero pagamento",
        ],
    ),
    text(TYPE, &["type", "typ", "tipo"]),
    text(
        ORDER_ID,
        &[
            "order id",
            "numéro de la commande",
            "bestellnummer",
            "número de pedido",
            "numero ordine",
        ],
    ),
    text("sku", &["sku"]),
    text(
        DESCRIPTION,
        &["description", "beschreibung", "descripción", "descrizione"],
    ),
    text(
        "quantity",
        &["quantity", "quantité", "menge", "cantidad", "quantità"],
    ),
    text(MARKETPLACE, &["marketplace", "web de amazon"]),
    text("account type", &["account type"]),
    text(
        "fulfillment",
        &[
            "fulfillment",
            "fulfilment",
            "traitement",
            "versand",
            "gestión logística",
            "gestione",
        ],
    ),
    text(
        "order city",
        &[
            "order city",
            "ville d'où provient la commande",
            "ort der bestellung",
            "ciudad del pedido",
            "città di provenienza dell'ordine",
        ],
    ),
    text(
        "order state",
        &[
            "order state",
            "région d'où provient la commande",
            "bundesland",
            "comunidad autónoma del pedido",
            "provincia di provenienza dell'ordine",
        ],
    ),
    text(
        "order postal",
        &[
            "order postal",
            "code postal de la commande",
            "postleitzahl",
            "código postal del pedido",
            "cap dell'ordine",
        ],
    ),
    text(
        "tax collection model",
        &[
            "tax collection model",
            "modèle de perception des taxes",
            "steuererhebungsmodell",
            "modelo de recaudación de impuestos",
            "modello di riscossione delle imposte",
        ],
    ),
    money(
        "product sales",
        &[
            "product sales",
            "ventes de produits",
            "umsätze",
            "ventas de productos",
            "vendite",
        ],
        "sale.gross",
        "refund.gross",
    ),
    money(
        "product sales tax",
        &[
            "product sales tax",
            "taxes sur la vente des produits",
            "produktumsatzsteuer",
            "impuesto de ventas de productos",
            "imposta sulle vendite dei prodotti",
        ],
        "tax.collected",
        "refund.tax",
    ),
    money(
        "shipping credits",
        &[
            "shipping credits",
            "postage credits",
            "crédits d'expédition",
            "gutschrift für versandkosten",
            "abonos de envío",
            "accrediti per le spedizioni",
        ],
        "sale.shipping_income",
        "refund.shipping",
    ),
    money(
        "shipping credits tax",
        &[
            "shipping credits tax",
            "postage credits tax",
            "taxe sur les crédits d'expédition",
            "steuer auf versandgutschrift",
            "impuestos por abonos de envío",
            "imposta accrediti per le spedizioni",
        ],
        "tax.collected",
        "refund.tax",
    ),
    money(
        "gift wrap credits",
        &[
            "gift wrap credits",
            "crédits sur l'emballage cadeau",
            "gutschrift für geschenkverpackung",
            "abonos de envoltorio para regalo",
            "accrediti per confezioni regalo",
        ],
        "sale.giftwrap",
        "refund.giftwrap",
    ),
    money(
        "giftwrap credits tax",
        &[
            "giftwrap credits tax",
            "gift wrap credits tax",
            "taxes sur les crédits cadeaux",
            "steuer auf geschenkverpackungsgutschriften",
            "impuestos por abonos de envoltorio para regalo",
            "imposta accrediti per confezioni regalo",
        ],
        "tax.collected",
        "refund.tax",
    ),
    money(
        "regulatory fee",
        &["regulatory fee"],
        "fee.regulatory",
        "fee.regulatory",
    ),
    money(
        "tax on regulatory fee",
        &["tax on regulatory fee"],
        "tax.collected",
        "refund.tax",
    ),
    money(
        "promotional rebates",
        &[
            "promotional rebates",
            "rabais promotionnels",
            "rabatte aus werbeaktionen",
            "devoluciones promocionales",
            "sconti promozionali",
        ],
        "sale.seller_discount",
        "refund.seller_discount",
    ),
    money(
        "promotional rebates tax",
        &[
            "promotional rebates tax",
            "taxes sur les remises promotionnelles",
            "steuer auf aktionsrabatte",
            "impuestos de devoluciones promocionales",
            "imposta sugli sconti promozionali",
        ],
        "tax.collected",
        "refund.tax",
    ),
    // 2017 layout.
    money(
        "sales tax collected",
        &["sales tax collected"],
        "tax.collected",
        "refund.tax",
    ),
    // Tax Amazon collects and remits as marketplace facilitator: it
    // offsets the tax columns above, so the pair nets to zero.
    money(
        "marketplace withheld tax",
        &[
            "marketplace withheld tax",
            "taxes retenues sur le site de vente",
            "einbehaltene steuer auf marketplace",
            "impuesto retenido en el sitio web del marketplace",
            "imposta trattenuta dal marketplace",
        ],
        "tax.withheld_by_marketplace",
        "tax.withheld_by_marketplace",
    ),
    // 2017 layout.
    money(
        "marketplace facilitator tax",
        &["marketplace facilitator tax"],
        "tax.withheld_by_marketplace",
        "tax.withheld_by_marketplace",
    ),
    money(
        "selling fees",
        &[
            "selling fees",
            "frais de vente",
            "verkaufsgebühren",
            "tarifas de venta",
            "commissioni di vendita",
        ],
        "fee.commission",
        "refund.fee_reversal",
    ),
    money(
        "fba fees",
        &[
            "fba fees",
            "frais expédié par amazon",
            "gebühren zu versand durch amazon",
            "tarifas de logística de amazon",
            "costi del servizio logistica di amazon",
        ],
        "fee.fulfillment",
        "fee.fulfillment",
    ),
    money(
        "other transaction fees",
        &[
            "other transaction fees",
            "autres frais de transaction",
            "andere transaktionsgebühren",
            "tarifas de otras transacciones",
            "altri costi relativi alle transazioni",
        ],
        "fee.other_transaction",
        "fee.other_transaction",
    ),
    money(
        "other",
        &["other", "autre", "andere", "otro", "altro"],
        "adjustment.other",
        "adjustment.other",
    ),
    text(TOTAL, &["total", "gesamt", "totale"]),
    // Newer files end with the transaction's release state.
    text(
        "transaction status",
        &["transaction status", "statut de la transaction"],
    ),
    text(
        "transaction release date",
        &[
            "transaction release date",
            "date de sortie de la transaction",
        ],
    ),
];

/// A normalized header name with the typographic apostrophe made plain
/// (`taxe sur les crédits d’expédition`).
pub fn plain(name: &str) -> String {
    name.replace(['’', '`', '´'], "'")
}

/// The column a normalized header name is.
pub fn column(name: &str) -> Option<&'static Column> {
    let name = plain(name);
    COLUMNS.iter().find(|c| c.aliases.contains(&name.as_str()))
}

/// The English name of a normalized header name, when known.
pub fn english(name: &str) -> Option<&'static str> {
    column(name).map(|c| c.name)
}

/// Types that move money to the seller's bank (a payout, not a line).
pub fn is_transfer(kind: &str) -> bool {
    matches!(
        kind.trim().to_lowercase().as_str(),
        "transfer" | "transfert" | "übertrag" | "transferir" | "trasferimento"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_unique_and_normalized() {
        let mut seen = std::collections::HashSet::new();
        for c in COLUMNS {
            assert!(c.aliases.contains(&c.name), "{}", c.name);
            for a in c.aliases {
                assert_eq!(
                    *a,
                    plain(&crate::sources::header::normalize_header(a)),
                    "{a}"
                );
                assert!(seen.insert(*a), "{a} twice");
            }
            if let Some((sale, refund)) = c.codes {
                crate::domain::settlement::ComponentCode::new(sale).unwrap();
                crate::domain::settlement::ComponentCode::new(refund).unwrap();
            }
        }
        assert_eq!(
            english("taxe sur les crédits d’expédition"),
            Some("shipping credits tax")
        );
        assert_eq!(english("fulfilment"), Some("fulfillment"));
        assert_eq!(english("postage credits"), Some("shipping credits"));
    }
}
