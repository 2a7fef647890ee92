//! What the fake PSP holds: charges (cob) with the Pix paid into them and their refunds, the
//! webhook registration, the faults in force, issued tokens and the notification log. Rules that
//! decide outcomes (expiry, paying, refund limits) live here, the HTTP layers only translate.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tokio::sync::watch;

use crate::brcode::DynamicBrCode;
use crate::ids::{format_amount, spi_id};

/// How long an issued access token is good for (`expires_in`).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Fixed for the life of one fake.
#[derive(Debug, Clone)]
pub struct Settings {
    pub pix_key: String,
    pub merchant_name: String,
    pub merchant_city: String,
    /// `host:port` of the API, the base of each charge's location.
    pub location_host: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Shared by both servers and every delivery task.
pub struct Shared {
    pub settings: Settings,
    pub store: Mutex<Store>,
    pub faults: Mutex<Faults>,
    pub tokens: Mutex<HashMap<String, Instant>>,
    pub deliveries: Mutex<Vec<DeliveryRecord>>,
    /// Built once: every webhook delivery shares its connection pool.
    pub http: reqwest::Client,
    /// Changes (or its sender drops) when the fake stops.
    pub shutdown: watch::Receiver<bool>,
}

/// A poisoned lock only means a handler panicked mid-update of test state: keep serving.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Faults the control API injects; `PUT /control/faults` replaces them all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Every mTLS route, OAuth included, answers 503 `ServicoIndisponivel`.
    pub unavailable: bool,
    /// The mTLS API sleeps this long before answering.
    pub delay_ms: u64,
    /// Each notification is delivered twice.
    pub duplicate_notifications: bool,
    /// No notification is sent (each is logged as dropped).
    pub drop_notifications: bool,
}

/// One notification the PSP emitted, as `GET /control/notifications` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRecord {
    pub body: Value,
    /// Where it goes (`{webhookUrl}/pix`), `None` when no webhook was registered.
    pub url: Option<String>,
    pub attempts: u32,
    pub delivered: bool,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    /// The `drop_notifications` fault kept it from being sent.
    pub dropped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ativa,
    Concluida,
    RemovidaPeloUsuarioRecebedor,
    RemovidaPeloPsp,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ativa => "ATIVA",
            Self::Concluida => "CONCLUIDA",
            Self::RemovidaPeloUsuarioRecebedor => "REMOVIDA_PELO_USUARIO_RECEBEDOR",
            Self::RemovidaPeloPsp => "REMOVIDA_PELO_PSP",
        }
    }
}

/// The validated content of a cob (what `PUT /cob/{txid}` sets and `PATCH` revises).
#[derive(Debug, Clone, PartialEq)]
pub struct CobContent {
    pub expiracao: u32,
    pub devedor: Option<Value>,
    pub valor_cents: u64,
    pub modalidade_alteracao: Option<i64>,
    pub chave: String,
    pub solicitacao_pagador: Option<String>,
    pub info_adicionais: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Charge {
    pub txid: String,
    pub criacao: DateTime<Utc>,
    pub revisao: u32,
    pub loc_id: u64,
    pub location: String,
    /// Never `RemovidaPeloPsp`: expiry is computed from the clock, so that a payment the control
    /// API lets through `after_expiry` still finds the charge as it was.
    pub status: Status,
    pub content: CobContent,
    pub pix: Vec<PixEntry>,
}

#[derive(Debug, Clone)]
pub struct PixEntry {
    pub end_to_end_id: String,
    pub valor_cents: u64,
    pub horario: DateTime<Utc>,
    pub info_pagador: Option<String>,
    pub devolucoes: Vec<Refund>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    EmProcessamento,
    Devolvido,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmProcessamento => "EM_PROCESSAMENTO",
            Self::Devolvido => "DEVOLVIDO",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub id: String,
    pub rtr_id: String,
    pub valor_cents: u64,
    pub natureza: Option<String>,
    pub descricao: Option<String>,
    pub solicitacao: DateTime<Utc>,
    pub liquidacao: Option<DateTime<Utc>>,
    pub status: RefundStatus,
}

#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: String,
    pub criacao: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct Store {
    pub charges: HashMap<String, Charge>,
    /// endToEndId → txid.
    pub pix_index: HashMap<String, String>,
    pub next_loc_id: u64,
    pub webhook: Option<Webhook>,
}

/// What the control API asks of a payment.
#[derive(Debug, Clone, Default)]
pub struct PayRequest {
    pub amount_cents: Option<u64>,
    pub payments: u32,
    pub again: bool,
    pub after_expiry: bool,
    pub info_pagador: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayError {
    NotFound,
    Expired,
    AlreadyPaid,
    Removed,
}

/// A refund request that can't be honoured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundError {
    PixNotFound,
    /// The id is taken by a refund of another value.
    IdReused,
    /// With the refunds before it, it would exceed the Pix (value still refundable).
    Exceeds {
        refundable_cents: u64,
    },
}

pub enum RefundOutcome {
    /// A new refund: its state as requested (EM_PROCESSAMENTO).
    Created(Refund),
    /// The same id and value again: the refund already made, unchanged.
    Existing(Refund),
}

impl Charge {
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.criacao + chrono::Duration::seconds(i64::from(self.content.expiracao))
    }

    /// What the API reports: an unpaid charge past `criacao + expiracao` is `REMOVIDA_PELO_PSP`.
    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        if self.status == Status::Ativa && now >= self.expires_at() {
            Status::RemovidaPeloPsp
        } else {
            self.status
        }
    }

    pub fn br_code(&self, settings: &Settings) -> String {
        DynamicBrCode {
            location: &self.location,
            amount: &format_amount(self.content.valor_cents),
            merchant_name: &settings.merchant_name,
            merchant_city: &settings.merchant_city,
        }
        .encode()
    }

    /// The spec's CobCompleta (a superset of CobGerada: `pix` once paid).
    pub fn to_json(&self, settings: &Settings, now: DateTime<Utc>) -> Value {
        let mut cob = Map::new();
        cob.insert(
            "calendario".into(),
            json!({"criacao": timestamp(self.criacao), "expiracao": self.content.expiracao}),
        );
        cob.insert("txid".into(), json!(self.txid));
        cob.insert("revisao".into(), json!(self.revisao));
        cob.insert(
            "loc".into(),
            json!({
                "id": self.loc_id,
                "location": self.location,
                "tipoCob": "cob",
                "criacao": timestamp(self.criacao),
            }),
        );
        cob.insert("location".into(), json!(self.location));
        cob.insert("status".into(), json!(self.status_at(now).as_str()));
        if let Some(devedor) = &self.content.devedor {
            cob.insert("devedor".into(), devedor.clone());
        }
        let mut valor = Map::new();
        valor.insert("original".into(), json!(format_amount(self.content.valor_cents)));
        if let Some(m) = self.content.modalidade_alteracao {
            valor.insert("modalidadeAlteracao".into(), json!(m));
        }
        cob.insert("valor".into(), Value::Object(valor));
        cob.insert("chave".into(), json!(self.content.chave));
        if let Some(s) = &self.content.solicitacao_pagador {
            cob.insert("solicitacaoPagador".into(), json!(s));
        }
        if let Some(info) = &self.content.info_adicionais {
            cob.insert("infoAdicionais".into(), info.clone());
        }
        cob.insert("pixCopiaECola".into(), json!(self.br_code(settings)));
        if !self.pix.is_empty() {
            let pix: Vec<Value> = self.pix.iter().map(|p| p.to_json(&self.txid, &self.content.chave)).collect();
            cob.insert("pix".into(), Value::Array(pix));
        }
        Value::Object(cob)
    }

    /// `GET /control/charges/{txid}`: the state a test asserts on.
    pub fn to_control_json(&self, now: DateTime<Utc>) -> Value {
        json!({
            "txid": self.txid,
            "status": self.status_at(now).as_str(),
            "valor": format_amount(self.content.valor_cents),
            "criacao": timestamp(self.criacao),
            "expiracao": self.content.expiracao,
            "revisao": self.revisao,
            "pix": self.pix.iter().map(|p| json!({
                "endToEndId": p.end_to_end_id,
                "valor": format_amount(p.valor_cents),
                "horario": timestamp(p.horario),
                "devolucoes": p.devolucoes.iter().map(|d| json!({
                    "id": d.id,
                    "rtrId": d.rtr_id,
                    "valor": format_amount(d.valor_cents),
                    "status": d.status.as_str(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

impl PixEntry {
    /// The spec's Pix, as `GET /pix/{e2eid}`, a cob's `pix` and a notification show it.
    pub fn to_json(&self, txid: &str, chave: &str) -> Value {
        let mut pix = Map::new();
        pix.insert("endToEndId".into(), json!(self.end_to_end_id));
        pix.insert("txid".into(), json!(txid));
        pix.insert("valor".into(), json!(format_amount(self.valor_cents)));
        pix.insert("chave".into(), json!(chave));
        pix.insert("horario".into(), json!(timestamp(self.horario)));
        if let Some(info) = &self.info_pagador {
            pix.insert("infoPagador".into(), json!(info));
        }
        if !self.devolucoes.is_empty() {
            let refunds: Vec<Value> = self.devolucoes.iter().map(Refund::to_json).collect();
            pix.insert("devolucoes".into(), Value::Array(refunds));
        }
        Value::Object(pix)
    }

    fn refunded_cents(&self) -> u64 {
        self.devolucoes.iter().map(|d| d.valor_cents).sum()
    }
}

impl Refund {
    pub fn to_json(&self) -> Value {
        let mut horario = Map::new();
        horario.insert("solicitacao".into(), json!(timestamp(self.solicitacao)));
        if let Some(at) = self.liquidacao {
            horario.insert("liquidacao".into(), json!(timestamp(at)));
        }
        let mut refund = Map::new();
        refund.insert("id".into(), json!(self.id));
        refund.insert("rtrId".into(), json!(self.rtr_id));
        refund.insert("valor".into(), json!(format_amount(self.valor_cents)));
        if let Some(n) = &self.natureza {
            refund.insert("natureza".into(), json!(n));
        }
        if let Some(d) = &self.descricao {
            refund.insert("descricao".into(), json!(d));
        }
        refund.insert("horario".into(), Value::Object(horario));
        refund.insert("status".into(), json!(self.status.as_str()));
        Value::Object(refund)
    }
}

/// What `PUT /cob/{txid}` did.
pub enum PutCob {
    Created,
    /// The charge existed, ATIVA: its content replaced (revisao + 1 if anything changed).
    Replaced,
    /// The charge existed and is no longer ATIVA: the spec's CobOperacaoInvalida.
    NotActive,
}

impl Store {
    pub fn put_cob(&mut self, settings: &Settings, txid: &str, content: CobContent, now: DateTime<Utc>) -> PutCob {
        if let Some(charge) = self.charges.get_mut(txid) {
            if charge.status_at(now) != Status::Ativa {
                return PutCob::NotActive;
            }
            if charge.content != content {
                charge.content = content;
                charge.revisao += 1;
            }
            return PutCob::Replaced;
        }
        self.next_loc_id += 1;
        let location = format!("{}/qr/v2/{}", settings.location_host, uuid::Uuid::new_v4().simple());
        self.charges.insert(
            txid.to_string(),
            Charge {
                txid: txid.to_string(),
                criacao: now,
                revisao: 0,
                loc_id: self.next_loc_id,
                location,
                status: Status::Ativa,
                content,
                pix: Vec::new(),
            },
        );
        PutCob::Created
    }

    /// Adds `request.payments` Pix to the charge; answers their end-to-end ids.
    pub fn pay(&mut self, txid: &str, request: &PayRequest, now: DateTime<Utc>) -> Result<Vec<String>, PayError> {
        let charge = self.charges.get_mut(txid).ok_or(PayError::NotFound)?;
        match charge.status_at(now) {
            Status::RemovidaPeloUsuarioRecebedor => return Err(PayError::Removed),
            Status::Concluida if !request.again => return Err(PayError::AlreadyPaid),
            Status::RemovidaPeloPsp if !request.after_expiry => return Err(PayError::Expired),
            _ => {}
        }
        let mut ids = Vec::new();
        for _ in 0..request.payments {
            let id = loop {
                let candidate = spi_id('E', now);
                if !self.pix_index.contains_key(&candidate) && !ids.contains(&candidate) {
                    break candidate;
                }
            };
            charge.pix.push(PixEntry {
                end_to_end_id: id.clone(),
                valor_cents: request.amount_cents.unwrap_or(charge.content.valor_cents),
                horario: now,
                info_pagador: request.info_pagador.clone(),
                devolucoes: Vec::new(),
            });
            ids.push(id);
        }
        charge.status = Status::Concluida;
        for id in &ids {
            self.pix_index.insert(id.clone(), txid.to_string());
        }
        Ok(ids)
    }

    pub fn pix(&self, end_to_end_id: &str) -> Option<(&Charge, &PixEntry)> {
        let txid = self.pix_index.get(end_to_end_id)?;
        let charge = self.charges.get(txid)?;
        let entry = charge.pix.iter().find(|p| p.end_to_end_id == end_to_end_id)?;
        Some((charge, entry))
    }

    fn pix_mut(&mut self, end_to_end_id: &str) -> Option<&mut PixEntry> {
        let txid = self.pix_index.get(end_to_end_id)?;
        self.charges.get_mut(txid)?.pix.iter_mut().find(|p| p.end_to_end_id == end_to_end_id)
    }

    /// `PUT /pix/{e2eid}/devolucao/{id}`. Idempotent per id: the same id with the same value
    /// answers the refund already made; the same id with another value is the spec's "id já
    /// utilizado por outra requisição de devolução". Refunds settle at once: stored `DEVOLVIDO`
    /// (the answer to the request itself says `EM_PROCESSAMENTO`, as a PSP's does).
    pub fn refund(
        &mut self,
        end_to_end_id: &str,
        id: &str,
        valor_cents: u64,
        natureza: Option<String>,
        descricao: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<RefundOutcome, RefundError> {
        let entry = self.pix_mut(end_to_end_id).ok_or(RefundError::PixNotFound)?;
        if let Some(existing) = entry.devolucoes.iter().find(|d| d.id == id) {
            return if existing.valor_cents == valor_cents {
                Ok(RefundOutcome::Existing(existing.clone()))
            } else {
                Err(RefundError::IdReused)
            };
        }
        let refundable_cents = entry.valor_cents.saturating_sub(entry.refunded_cents());
        if valor_cents > refundable_cents {
            return Err(RefundError::Exceeds { refundable_cents });
        }
        let requested = Refund {
            id: id.to_string(),
            rtr_id: spi_id('D', now),
            valor_cents,
            natureza,
            descricao,
            solicitacao: now,
            liquidacao: None,
            status: RefundStatus::EmProcessamento,
        };
        entry.devolucoes.push(Refund { liquidacao: Some(now), status: RefundStatus::Devolvido, ..requested.clone() });
        Ok(RefundOutcome::Created(requested))
    }

    pub fn refund_of(&self, end_to_end_id: &str, id: &str) -> Option<&Refund> {
        self.pix(end_to_end_id)?.1.devolucoes.iter().find(|d| d.id == id)
    }

    /// The `{"pix": [...]}` body of one notification, entries in the order given; `None` if
    /// one of them is not a Pix of this charge.
    pub fn notification(&self, txid: &str, end_to_end_ids: &[String]) -> Option<Value> {
        let charge = self.charges.get(txid)?;
        let mut entries = Vec::with_capacity(end_to_end_ids.len());
        for id in end_to_end_ids {
            let entry = charge.pix.iter().find(|p| &p.end_to_end_id == id)?;
            entries.push(entry.to_json(&charge.txid, &charge.content.chave));
        }
        Some(json!({ "pix": entries }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            pix_key: "k".into(),
            merchant_name: "M".into(),
            merchant_city: "C".into(),
            location_host: "127.0.0.1:1".into(),
            client_id: "id".into(),
            client_secret: "secret".into(),
        }
    }

    fn content(cents: u64, expiracao: u32) -> CobContent {
        CobContent {
            expiracao,
            devedor: None,
            valor_cents: cents,
            modalidade_alteracao: None,
            chave: "k".into(),
            solicitacao_pagador: None,
            info_adicionais: None,
        }
    }

    const TXID: &str = "abcdefghijklmnopqrstuvwxyz01";

    fn paid_store(now: DateTime<Utc>) -> (Store, String) {
        let mut store = Store::default();
        store.put_cob(&settings(), TXID, content(1000, 60), now);
        let request = PayRequest { payments: 1, ..PayRequest::default() };
        let ids = store.pay(TXID, &request, now).expect("pay");
        (store, ids[0].clone())
    }

    #[test]
    fn expiry_is_read_from_the_clock_and_blocks_payment() {
        let now = Utc::now();
        let mut store = Store::default();
        store.put_cob(&settings(), TXID, content(1000, 1), now);
        let later = now + chrono::Duration::milliseconds(1500);
        assert_eq!(store.charges[TXID].status_at(now), Status::Ativa);
        assert_eq!(store.charges[TXID].status_at(later), Status::RemovidaPeloPsp);
        let request = PayRequest { payments: 1, ..PayRequest::default() };
        assert_eq!(store.pay(TXID, &request, later), Err(PayError::Expired));
        let late = PayRequest { after_expiry: true, ..request };
        assert!(store.pay(TXID, &late, later).is_ok());
        assert_eq!(store.charges[TXID].status_at(later), Status::Concluida);
    }

    #[test]
    fn paying_twice_needs_again() {
        let now = Utc::now();
        let (mut store, _) = paid_store(now);
        let request = PayRequest { payments: 2, ..PayRequest::default() };
        assert_eq!(store.pay(TXID, &request, now), Err(PayError::AlreadyPaid));
        let again = PayRequest { again: true, ..request };
        let ids = store.pay(TXID, &again, now).expect("again");
        assert_eq!(ids.len(), 2);
        assert_eq!(store.charges[TXID].pix.len(), 3);
    }

    #[test]
    fn refunds_are_idempotent_per_id_and_capped_by_the_pix() {
        let now = Utc::now();
        let (mut store, e2e) = paid_store(now);
        assert!(matches!(store.refund(&e2e, "r1", 600, None, None, now), Ok(RefundOutcome::Created(_))));
        assert!(matches!(store.refund(&e2e, "r1", 600, None, None, now), Ok(RefundOutcome::Existing(_))));
        assert_eq!(store.refund(&e2e, "r1", 500, None, None, now).err(), Some(RefundError::IdReused));
        assert_eq!(
            store.refund(&e2e, "r2", 401, None, None, now).err(),
            Some(RefundError::Exceeds { refundable_cents: 400 })
        );
        assert!(store.refund(&e2e, "r2", 400, None, None, now).is_ok());
        assert_eq!(store.refund("E0000", "r3", 1, None, None, now).err(), Some(RefundError::PixNotFound));
    }

    #[test]
    fn put_on_an_active_charge_revises_only_on_change() {
        let now = Utc::now();
        let mut store = Store::default();
        let s = settings();
        store.put_cob(&s, TXID, content(1000, 60), now);
        assert!(matches!(store.put_cob(&s, TXID, content(1000, 60), now), PutCob::Replaced));
        assert_eq!(store.charges[TXID].revisao, 0);
        store.put_cob(&s, TXID, content(2000, 60), now);
        assert_eq!(store.charges[TXID].revisao, 1);
        let request = PayRequest { payments: 1, ..PayRequest::default() };
        store.pay(TXID, &request, now).expect("pay");
        assert!(matches!(store.put_cob(&s, TXID, content(2000, 60), now), PutCob::NotActive));
    }
}
