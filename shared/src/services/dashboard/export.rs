//! An event's orders as a file for a spreadsheet.
//!
//! Two shapes: `excel`, for a pt-BR Excel or LibreOffice (UTF-8 BOM so accents survive, `;`
//! between fields since `,` is the decimal mark, amounts in reais, statuses in Portuguese,
//! times in the event's zone), and `raw`, for programs (`,`, cents, status codes, UTC).
//!
//! Orders are read a page at a time, so memory holds one page and the file, never the
//! event's orders. A Lambda response carries at most 6 MB: a file up to `INLINE_LIMIT` is
//! answered as it is; a larger one is put in the export store and answered with a link that
//! works for `LINK_SECONDS`.

use super::admin_event;
use crate::app::App;
use crate::domain::{Order, OrderId, OrderStatus, PriceType};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashMap;

pub const PAGE: i64 = 5_000;
/// Under Lambda's 6 MB response payload, with room for headers.
pub const INLINE_LIMIT: usize = 4 * 1024 * 1024;
pub const LINK_SECONDS: i64 = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvFormat {
    Excel,
    Raw,
}

impl CsvFormat {
    pub fn parse(raw: Option<&str>) -> Result<Self, crate::domain::Invalid> {
        match raw.map(str::trim) {
            None | Some("") | Some("excel") => Ok(CsvFormat::Excel),
            Some("raw") => Ok(CsvFormat::Raw),
            Some(_) => Err(crate::domain::Invalid::new("'format' must be 'excel' or 'raw'")),
        }
    }
}

/// What the export answers.
pub enum Export {
    /// The file itself.
    Inline { filename: String, csv: Vec<u8> },
    /// Too large to answer: where to get it.
    Link(ExportLink),
}

#[derive(Serialize, Debug)]
pub struct ExportLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
    pub filename: String,
    pub rows: usize,
    pub bytes: usize,
}

struct Writer {
    format: CsvFormat,
    zone: Tz,
    out: Vec<u8>,
    rows: usize,
}

impl Writer {
    fn new(format: CsvFormat, zone: Tz) -> Self {
        let mut out = Vec::new();
        let header: &[&str] = match format {
            CsvFormat::Excel => {
                out.extend_from_slice("\u{feff}".as_bytes());
                &[
                    "Pedido",
                    "Situação",
                    "Comprador",
                    "E-mail",
                    "Setor",
                    "Lote",
                    "Tipo",
                    "Quantidade",
                    "Preço unitário (R$)",
                    "Total (R$)",
                    "Criado em",
                    "Pago em",
                    "Cancelado em",
                    "Expirado em",
                    "Reembolsado em",
                ]
            }
            CsvFormat::Raw => &[
                "order_id",
                "status",
                "buyer_name",
                "buyer_email",
                "sector",
                "lot",
                "price_type",
                "quantity",
                "unit_price_cents",
                "total_cents",
                "created_at",
                "paid_at",
                "cancelled_at",
                "expired_at",
                "refunded_at",
            ],
        };
        let mut w = Writer { format, zone, out, rows: 0 };
        // Header names have no separator or quote in them: bare, as spreadsheets expect.
        w.line(header.iter().map(|h| h.to_string()).collect());
        w
    }

    fn separator(&self) -> &'static str {
        match self.format {
            CsvFormat::Excel => ";",
            CsvFormat::Raw => ",",
        }
    }

    fn line(&mut self, fields: Vec<String>) {
        let sep = self.separator();
        self.out.extend_from_slice(fields.join(sep).as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    fn money(&self, cents: i64) -> String {
        match self.format {
            CsvFormat::Excel => {
                format!("{}{},{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100)
            }
            CsvFormat::Raw => cents.to_string(),
        }
    }

    fn time(&self, at: Option<DateTime<Utc>>) -> String {
        let Some(at) = at else { return field("") };
        field(&match self.format {
            CsvFormat::Excel => at.with_timezone(&self.zone).format("%d/%m/%Y %H:%M:%S").to_string(),
            CsvFormat::Raw => at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })
    }

    fn order(&mut self, o: &Order, buyer: Option<&(String, String)>) {
        let (name, email) = buyer.cloned().unwrap_or_default();
        let (status, price_type) = match self.format {
            CsvFormat::Excel => {
                (status_pt(o.status), if o.price_type == PriceType::Half { "Meia-entrada" } else { "Inteira" })
            }
            CsvFormat::Raw => (o.status.as_str(), o.price_type.as_str()),
        };
        let row = vec![
            field(o.id.as_str()),
            field(status),
            field(&name),
            field(&email),
            field(&o.sector),
            field(&o.lot),
            field(price_type),
            o.quantity.to_string(),
            self.money(o.unit_price_cents),
            self.money(o.total_cents),
            self.time(Some(o.created_at)),
            self.time(o.paid_at),
            self.time(o.cancelled_at),
            self.time(o.expired_at),
            self.time(o.refunded_at),
        ];
        self.line(row);
        self.rows += 1;
    }
}

fn status_pt(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Reserved => "Reservado",
        OrderStatus::PaymentPending => "Aguardando pagamento",
        OrderStatus::Paid => "Pago",
        OrderStatus::Cancelled => "Cancelado",
        OrderStatus::Expired => "Expirado",
        OrderStatus::Refunded => "Reembolsado",
    }
}

/// Every text field quoted; a leading `= + - @` neutralised (CSV injection: a buyer's name
/// must not become a formula in the admin's spreadsheet).
pub fn field(value: &str) -> String {
    let v = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    format!("\"{}\"", v.replace('"', "\"\""))
}

/// The event's orders, oldest id first, as a file or a link to one.
pub async fn orders_csv(app: &App, raw_id: &str, format: CsvFormat) -> AppResult<Export> {
    let event = admin_event(app, raw_id).await?;
    let zone: Tz = event.time_zone.parse().unwrap_or(chrono_tz::America::Sao_Paulo);
    let mut writer = Writer::new(format, zone);
    let mut after: Option<OrderId> = None;
    loop {
        let page = app.orders.page_by_event(&event.id, after.as_ref(), PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        let mut buyers: Vec<_> = page.iter().map(|o| o.user_id.clone()).collect();
        buyers.sort();
        buyers.dedup();
        let names: HashMap<String, (String, String)> =
            app.users.find_many(&buyers).await?.into_iter().map(|u| (u.id.to_string(), (u.name, u.email))).collect();
        for order in &page {
            writer.order(order, names.get(order.user_id.as_str()));
        }
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    let suffix = match format {
        CsvFormat::Excel => "planilha",
        CsvFormat::Raw => "raw",
    };
    let filename = format!("pedidos-{}-{suffix}.csv", event.id);
    if writer.out.len() <= INLINE_LIMIT {
        return Ok(Export::Inline { filename, csv: writer.out });
    }
    let now = app.clock.now();
    let key = format!("orders-{}-{suffix}-{}.csv", event.id, now.timestamp_millis());
    let (rows, bytes) = (writer.rows, writer.out.len());
    app.exports.put(&key, writer.out, "text/csv; charset=utf-8", now).await?;
    tracing::info!(event_id = %event.id, rows, bytes, "a large export was put in the export store");
    Ok(Export::Link(ExportLink {
        url: app.exports.link(&key, LINK_SECONDS, now),
        expires_at: now + chrono::Duration::seconds(LINK_SECONDS),
        filename,
        rows,
        bytes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_money_uses_the_decimal_comma_and_raw_keeps_cents() {
        let excel = Writer::new(CsvFormat::Excel, chrono_tz::America::Sao_Paulo);
        assert_eq!(excel.money(123_456), "1234,56");
        assert_eq!(excel.money(5), "0,05");
        assert!(excel.out.starts_with("\u{feff}Pedido;Situação;".as_bytes()));
        let raw = Writer::new(CsvFormat::Raw, chrono_tz::America::Sao_Paulo);
        assert_eq!(raw.money(123_456), "123456");
        assert!(raw.out.starts_with(b"order_id,status,"));
    }

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(field("a\"b"), "\"a\"\"b\"");
        assert_eq!(field("=SUM(A1)"), "\"'=SUM(A1)\"");
    }
}
