//! The gate over real HTTP against the real server: signed tickets checked in exactly once,
//! revoked at refund, cancellation and transfer, online and through the offline manifest.

mod checkin;
mod offline;
mod transfer;

use crate::helpers::Harness;
use reqwest::StatusCode;
use serde_json::{json, Value};

impl Harness {
    /// A paid order of `quantity` tickets for `token`; its id and its tickets.
    pub async fn paid_tickets(
        &self,
        token: &str,
        event: &str,
        price_type: &str,
        quantity: i64,
    ) -> (String, Vec<Value>) {
        let mut body = json!({"event_id": event, "sector": "Pista", "price_type": price_type, "quantity": quantity});
        if price_type == "half" {
            body["entitlement"] = "student".into();
        }
        let reserved = self.post("/api/v1/orders", Some(token), body).await;
        assert_eq!(reserved.status, StatusCode::CREATED, "{}", reserved.body);
        let id = reserved.body["id"].as_str().expect("id").to_string();
        let pay = self.post(&format!("/api/v1/orders/{id}/pay"), Some(token), json!({"method": "pix"})).await;
        assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
        self.settle_payment(&id).await;
        let tickets = self.get(&format!("/api/v1/orders/{id}/tickets"), Some(token)).await;
        let tickets = tickets.body.as_array().expect("tickets").clone();
        assert_eq!(tickets.len() as i64, quantity);
        (id, tickets)
    }

    /// Gate staff for `event`, created by an admin through the API; their access token.
    pub async fn gate_staff(&self, event: &str) -> String {
        let admin = self.admin().await;
        let email = format!("{}@gate.example.com", bilheteria_testkit::harness::unique_name("porteiro"));
        let created = self
            .post(
                &format!("/api/v1/admin/events/{event}/gate-staff"),
                Some(&admin),
                json!({"name": "Porteiro Norte", "email": email, "password": crate::helpers::accounts::STRONG_PASSWORD}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["role"], "gate");
        self.login(&email).await.access
    }

    pub async fn scan(&self, token: &str, qr: &str, gate: &str) -> crate::helpers::Reply {
        self.post("/api/v1/gate/checkins", Some(token), json!({"qr": qr, "gate": gate})).await
    }
}

fn qr(ticket: &Value) -> String {
    ticket["qr_payload"].as_str().expect("qr").to_string()
}

fn code(ticket: &Value) -> String {
    ticket["code"].as_str().expect("code").to_string()
}
