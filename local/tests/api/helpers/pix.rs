//! PIX through the fake PSP: its settings as our adapter takes them, and its control API
//! (pay a charge as a bank app would, send chosen notifications, inject faults).

use super::Harness;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub use bilheteria_testkit::pix::settings_of;

pub struct Control<'a> {
    h: &'a Harness,
    url: String,
}

impl Harness {
    pub fn psp(&self) -> Control<'_> {
        let url = self.psp.as_ref().expect("a harness started with_psp").control_url.clone();
        Control { h: self, url }
    }

    /// Reserves `quantity` and asks to pay by PIX: the order id and its charge's txid.
    pub async fn pix_order(&self, token: &str, event: &str, quantity: i64) -> (String, String) {
        let order = self.reserve(token, event, "Pista", "full", quantity).await;
        assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
        let id = order.body["id"].as_str().expect("id").to_string();
        let paying = self.post(&format!("/api/v1/orders/{id}/pay"), Some(token), json!({"method": "pix"})).await;
        assert_eq!(paying.status, StatusCode::ACCEPTED, "{}", paying.body);
        let txid = paying.body["payment"]["pix_txid"].as_str().expect("the charge's txid").to_string();
        (id, txid)
    }

    pub async fn status_of(&self, token: &str, order: &str) -> String {
        self.order(token, order).await["status"].as_str().unwrap_or_default().to_string()
    }
}

impl Control<'_> {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.h.http.request(method, format!("{}{path}", self.url));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("the fake PSP's control answers");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Pays the charge as a bank app would (`options`: amount, payments, again,
    /// after_expiry, notify); the endToEndIds made.
    pub async fn pay(&self, txid: &str, options: Value) -> Vec<String> {
        let (status, body) =
            self.send(reqwest::Method::POST, &format!("/control/charges/{txid}/pay"), Some(options)).await;
        assert_eq!(status, StatusCode::OK, "paying {txid}: {body}");
        body["end_to_end_ids"].as_array().expect("ids").iter().map(|v| v.as_str().expect("id").to_string()).collect()
    }

    /// Pays, expecting a refusal (expired, removed, already paid): its status.
    pub async fn pay_refused(&self, txid: &str, options: Value) -> StatusCode {
        self.send(reqwest::Method::POST, &format!("/control/charges/{txid}/pay"), Some(options)).await.0
    }

    /// Sends one notification listing these pix, in this order.
    pub async fn notify(&self, txid: &str, end_to_end_ids: &[&str]) {
        let body = json!({"end_to_end_ids": end_to_end_ids});
        let (status, _) =
            self.send(reqwest::Method::POST, &format!("/control/charges/{txid}/notify"), Some(body)).await;
        assert!(status.is_success(), "notify: {status}");
    }

    pub async fn faults(&self, faults: Value) {
        let (status, _) = self.send(reqwest::Method::PUT, "/control/faults", Some(faults)).await;
        assert!(status.is_success(), "faults: {status}");
    }

    /// The charge as the fake PSP keeps it (status, pix, refunds).
    pub async fn charge(&self, txid: &str) -> Value {
        self.send(reqwest::Method::GET, &format!("/control/charges/{txid}"), None).await.1
    }

    /// How many refunds the PSP made for this charge's pix.
    pub async fn refunds(&self, txid: &str) -> usize {
        let charge = self.charge(txid).await;
        charge["pix"]
            .as_array()
            .map_or(0, |pix| pix.iter().map(|p| p["devolucoes"].as_array().map_or(0, Vec::len)).sum())
    }
}
