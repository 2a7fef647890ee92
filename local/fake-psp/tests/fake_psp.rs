//! The fake over real HTTP and real mutual TLS: a started fake per test, our client certificate
//! presented the way the PSP adapter does (reqwest + rustls).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use bilheteria_fake_psp::{brcode, start, FakePspConfig, RunningPsp};
use serde_json::{json, Value};

struct Harness {
    psp: RunningPsp,
    api: reqwest::Client,
    control: reqwest::Client,
}

fn tls_client(psp: &RunningPsp, with_identity: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(psp.credentials.ca_pem.as_bytes()).expect("CA");
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .timeout(Duration::from_secs(10));
    if with_identity {
        let identity = reqwest::Identity::from_pem(psp.credentials.identity_pem().as_bytes()).expect("identity");
        builder = builder.identity(identity);
    }
    builder.build().expect("client")
}

impl Harness {
    async fn start(webhook_url: Option<String>) -> Self {
        let psp = start(FakePspConfig { webhook_url, ..FakePspConfig::default() }).await.expect("fake PSP starts");
        let api = tls_client(&psp, true);
        Self { psp, api, control: reqwest::Client::new() }
    }

    async fn token(&self) -> String {
        let response = self
            .api
            .post(&self.psp.oauth_url)
            .basic_auth(&self.psp.credentials.client_id, Some(&self.psp.credentials.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token request");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3600);
        body["access_token"].as_str().expect("token").to_string()
    }

    async fn put_cob(&self, token: &str, txid: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .api
            .put(format!("{}/cob/{txid}", self.psp.api_url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("PUT cob");
        read(response).await
    }

    async fn api_get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let response =
            self.api.get(format!("{}{path}", self.psp.api_url)).bearer_auth(token).send().await.expect("GET");
        read(response).await
    }

    async fn refund(&self, token: &str, e2e: &str, id: &str, valor: &str) -> (StatusCode, Value) {
        let response = self
            .api
            .put(format!("{}/pix/{e2e}/devolucao/{id}", self.psp.api_url))
            .bearer_auth(token)
            .json(&json!({ "valor": valor }))
            .send()
            .await
            .expect("PUT devolucao");
        read(response).await
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .control
            .request(method, format!("{}{path}", self.psp.control_url))
            .json(&body)
            .send()
            .await
            .expect("control request");
        read(response).await
    }

    async fn pay(&self, txid: &str, body: Value) -> (StatusCode, Value) {
        self.control(reqwest::Method::POST, &format!("/control/charges/{txid}/pay"), body).await
    }

    async fn notifications(&self) -> Vec<Value> {
        let (status, body) = self.control(reqwest::Method::GET, "/control/notifications", Value::Null).await;
        assert_eq!(status, 200);
        body.as_array().expect("array").clone()
    }
}

async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, body)
}

/// An error and its sources, one line: where the TLS alert shows.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn new_txid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn cob_body(valor: &str, expiracao: u32) -> Value {
    json!({
        "calendario": { "expiracao": expiracao },
        "devedor": { "cpf": "12345678909", "nome": "Francisco da Silva" },
        "valor": { "original": valor },
        "chave": "pix@bilheteria.test",
        "solicitacaoPagador": "Pedido 42",
    })
}

async fn eventually<F: FnMut() -> bool>(what: &str, timeout: Duration, mut done: F) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A webhook receiver: records each body, answers 503 to the first `fail_first` calls.
#[derive(Clone, Default)]
struct Receiver {
    bodies: Arc<Mutex<Vec<Value>>>,
    calls: Arc<AtomicUsize>,
    fail_first: usize,
}

impl Receiver {
    async fn start(fail_first: usize) -> (Self, String) {
        let receiver = Self { fail_first, ..Self::default() };
        let app = Router::new().route("/hooks/pix", post(receive)).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().expect("lock").clone()
    }
}

async fn receive(State(receiver): State<Receiver>, Json(body): Json<Value>) -> StatusCode {
    let call = receiver.calls.fetch_add(1, Ordering::SeqCst);
    if call < receiver.fail_first {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    receiver.bodies.lock().expect("lock").push(body);
    StatusCode::OK
}

#[tokio::test]
async fn mutual_tls_and_oauth_guard_the_api() {
    let h = Harness::start(None).await;

    // No client certificate: the server refuses the handshake, no HTTP answer at all.
    let anonymous = tls_client(&h.psp, false);
    let refused = anonymous.post(&h.psp.oauth_url).form(&[("grant_type", "client_credentials")]).send().await;
    let error = refused.expect_err("no client certificate, no answer");
    assert!(error_chain(&error).contains("CertificateRequired"), "{}", error_chain(&error));

    // A certificate from another CA (another fake's) is refused just the same.
    let other = start(FakePspConfig::default()).await.expect("second fake");
    let ca = reqwest::Certificate::from_pem(h.psp.credentials.ca_pem.as_bytes()).expect("CA");
    let stranger = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .identity(reqwest::Identity::from_pem(other.credentials.identity_pem().as_bytes()).expect("identity"))
        .build()
        .expect("client");
    let error = stranger
        .post(&h.psp.oauth_url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect_err("a stranger's certificate, no answer");
    assert!(error_chain(&error).contains("UnknownCA"), "{}", error_chain(&error));

    // A client that connects and never handshakes holds up nobody.
    let _silent = tokio::net::TcpStream::connect(h.psp.api_addr).await.expect("tcp");

    // With it: OAuth with the wrong secret is 401, the right one issues a token.
    let wrong = h
        .api
        .post(&h.psp.oauth_url)
        .basic_auth(&h.psp.credentials.client_id, Some("not-the-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status(), 401);
    let token = h.token().await;

    // JSON token requests work too.
    let json_token = h
        .api
        .post(&h.psp.oauth_url)
        .basic_auth(&h.psp.credentials.client_id, Some(&h.psp.credentials.client_secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .expect("request");
    assert_eq!(json_token.status(), 200);

    // /v2 without a token, or with one it never issued: a 401 problem.
    let txid = new_txid();
    let no_token = h.api.get(format!("{}/cob/{txid}", h.psp.api_url)).send().await.expect("request");
    assert_eq!(no_token.status(), 401);
    assert_eq!(no_token.headers()["content-type"], "application/problem+json");
    let (status, _) = h.api_get("made-up", &format!("/cob/{txid}")).await;
    assert_eq!(status, 401);

    // With the token: an unknown charge is a 404 problem with the spec's type.
    let (status, problem) = h.api_get(&token, &format!("/cob/{txid}")).await;
    assert_eq!(status, 404);
    assert_eq!(problem["type"], "https://pix.bcb.gov.br/api/v2/error/CobNaoEncontrado");
    assert_eq!(problem["status"], 404);
}

#[tokio::test]
async fn a_charge_is_created_paid_and_read_back() {
    let h = Harness::start(None).await;
    let token = h.token().await;
    let txid = new_txid();

    let (status, cob) = h.put_cob(&token, &txid, cob_body("123.45", 3600)).await;
    assert_eq!(status, 201, "{cob}");
    assert_eq!(cob["txid"], txid.as_str());
    assert_eq!(cob["status"], "ATIVA");
    assert_eq!(cob["revisao"], 0);
    assert_eq!(cob["calendario"]["expiracao"], 3600);
    assert_eq!(cob["valor"]["original"], "123.45");
    assert_eq!(cob["chave"], "pix@bilheteria.test");
    assert_eq!(cob["devedor"]["cpf"], "12345678909");
    assert_eq!(cob["loc"]["tipoCob"], "cob");
    assert_eq!(cob["loc"]["location"], cob["location"]);

    // The copia e cola is a dynamic BR Code pointing at the location, for the amount.
    let code = cob["pixCopiaECola"].as_str().expect("pixCopiaECola");
    let fields = brcode::parse(code).expect("valid BR Code");
    let field = |id: &str| fields.iter().find(|f| f.id == id).map(|f| f.value.clone()).unwrap_or_default();
    assert_eq!(field("01"), "12");
    assert_eq!(field("54"), "123.45");
    assert_eq!(field("59"), "BILHETERIA");
    let account = brcode::parse_fields(&field("26")).expect("template 26");
    assert_eq!(account[0].value, "br.gov.bcb.pix");
    assert_eq!(account[1].id, "25");
    assert_eq!(account[1].value, cob["location"].as_str().expect("location"));

    // The same PUT again while ATIVA is accepted and changes nothing.
    let (status, again) = h.put_cob(&token, &txid, cob_body("123.45", 3600)).await;
    assert_eq!(status, 201);
    assert_eq!(again["revisao"], 0);
    assert_eq!(again["loc"]["id"], cob["loc"]["id"]);

    let (status, read) = h.api_get(&token, &format!("/cob/{txid}")).await;
    assert_eq!(status, 200);
    assert_eq!(read["status"], "ATIVA");
    assert!(read.get("pix").is_none());

    let (status, paid) = h.pay(&txid, json!({})).await;
    assert_eq!(status, 200, "{paid}");
    let e2e = paid["end_to_end_ids"][0].as_str().expect("e2e").to_string();
    assert_eq!(e2e.len(), 32);
    assert!(e2e.starts_with('E'));

    let (_, read) = h.api_get(&token, &format!("/cob/{txid}")).await;
    assert_eq!(read["status"], "CONCLUIDA");
    let pix = read["pix"].as_array().expect("pix");
    assert_eq!(pix.len(), 1);
    assert_eq!(pix[0]["endToEndId"], e2e.as_str());
    assert_eq!(pix[0]["txid"], txid.as_str());
    assert_eq!(pix[0]["valor"], "123.45");
    assert!(pix[0]["horario"].is_string());

    let (status, single) = h.api_get(&token, &format!("/pix/{e2e}")).await;
    assert_eq!(status, 200);
    assert_eq!(single["endToEndId"], e2e.as_str());

    // Paid once: a second payment needs `again`; a PUT on the CONCLUIDA charge is refused.
    let (status, conflict) = h.pay(&txid, json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(conflict["error"], "already_paid");
    let (status, problem) = h.put_cob(&token, &txid, cob_body("123.45", 3600)).await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "https://pix.bcb.gov.br/api/v2/error/CobOperacaoInvalida");
    let (status, duplicate) = h.pay(&txid, json!({"again": true, "amount": "1.00"})).await;
    assert_eq!(status, 200, "{duplicate}");
    let (_, read) = h.api_get(&token, &format!("/cob/{txid}")).await;
    assert_eq!(read["pix"][1]["valor"], "1.00");

    let (status, _) = h.pay(&new_txid(), json!({})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn invalid_charges_get_the_spec_violations() {
    let h = Harness::start(None).await;
    let token = h.token().await;

    let (status, problem) = h.put_cob(&token, "short", cob_body("10.00", 60)).await;
    assert_eq!(status, 400);
    assert_eq!(problem["violacoes"][0]["propriedade"], "txid");

    let mut body = cob_body("10.5", 0);
    body["chave"] = json!("someone-else@example.com");
    let (status, problem) = h.put_cob(&token, &new_txid(), body).await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "https://pix.bcb.gov.br/api/v2/error/CobOperacaoInvalida");
    let properties: Vec<&str> =
        problem["violacoes"].as_array().expect("violacoes").iter().filter_map(|v| v["propriedade"].as_str()).collect();
    assert!(properties.contains(&"cob.valor.original"), "{problem}");
    assert!(properties.contains(&"cob.calendario.expiracao"), "{problem}");
    assert!(properties.contains(&"cob.chave"), "{problem}");

    let (status, problem) = h.put_cob(&token, &new_txid(), cob_body("0.00", 60)).await;
    assert_eq!(status, 400);
    assert_eq!(problem["violacoes"][0]["razao"], "O campo cob.valor.original é zero.");

    // Without calendario the charge lives the default 86400 s.
    let (status, cob) =
        h.put_cob(&token, &new_txid(), json!({"valor": {"original": "5.00"}, "chave": "pix@bilheteria.test"})).await;
    assert_eq!(status, 201);
    assert_eq!(cob["calendario"]["expiracao"], 86400);
}

#[tokio::test]
async fn expiry_and_removal_make_a_charge_unpayable() {
    let h = Harness::start(None).await;
    let token = h.token().await;

    let expiring = new_txid();
    let removed = new_txid();
    let (status, _) = h.put_cob(&token, &expiring, cob_body("10.00", 1)).await;
    assert_eq!(status, 201);
    let (status, _) = h.put_cob(&token, &removed, cob_body("10.00", 3600)).await;
    assert_eq!(status, 201);

    let response = h
        .api
        .patch(format!("{}/cob/{removed}", h.psp.api_url))
        .bearer_auth(&token)
        .json(&json!({"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"}))
        .send()
        .await
        .expect("PATCH");
    let (status, cob) = read(response).await;
    assert_eq!(status, 200, "{cob}");
    assert_eq!(cob["status"], "REMOVIDA_PELO_USUARIO_RECEBEDOR");
    assert_eq!(cob["revisao"], 1);
    let (status, conflict) = h.pay(&removed, json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(conflict["error"], "removed");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, cob) = h.api_get(&token, &format!("/cob/{expiring}")).await;
    assert_eq!(cob["status"], "REMOVIDA_PELO_PSP");
    let (status, conflict) = h.pay(&expiring, json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(conflict["error"], "expired");
    let (_, cob) = h.api_get(&token, &format!("/cob/{expiring}")).await;
    assert_eq!(cob["status"], "REMOVIDA_PELO_PSP");
    assert!(cob.get("pix").is_none());

    // A PSP that settles late anyway.
    let (status, _) = h.pay(&expiring, json!({"after_expiry": true})).await;
    assert_eq!(status, 200);
    let (_, cob) = h.api_get(&token, &format!("/cob/{expiring}")).await;
    assert_eq!(cob["status"], "CONCLUIDA");
}

#[tokio::test]
async fn refunds_are_idempotent_per_id_and_never_exceed_the_pix() {
    let h = Harness::start(None).await;
    let token = h.token().await;
    let txid = new_txid();
    h.put_cob(&token, &txid, cob_body("10.00", 3600)).await;
    let (_, paid) = h.pay(&txid, json!({})).await;
    let e2e = paid["end_to_end_ids"][0].as_str().expect("e2e").to_string();

    let (status, first) = h.refund(&token, &e2e, "r1", "4.00").await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["id"], "r1");
    assert_eq!(first["valor"], "4.00");
    assert_eq!(first["status"], "EM_PROCESSAMENTO");
    let rtr_id = first["rtrId"].as_str().expect("rtrId");
    assert_eq!(rtr_id.len(), 32);
    assert!(rtr_id.starts_with('D'));

    let (status, again) = h.refund(&token, &e2e, "r1", "4.00").await;
    assert_eq!(status, 201);
    assert_eq!(again["rtrId"], rtr_id);

    let (status, settled) = h.api_get(&token, &format!("/pix/{e2e}/devolucao/r1")).await;
    assert_eq!(status, 200);
    assert_eq!(settled["status"], "DEVOLVIDO");
    assert!(settled["horario"]["liquidacao"].is_string());

    // 4.00 refunded of 10.00: 7.00 more is refused, 6.00 is fine, then nothing is left.
    let (status, problem) = h.refund(&token, &e2e, "r2", "7.00").await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "https://pix.bcb.gov.br/api/v2/error/PixDevolucaoInvalida");
    let (status, _) = h.refund(&token, &e2e, "r2", "6.00").await;
    assert_eq!(status, 201);
    let (status, _) = h.refund(&token, &e2e, "r3", "0.01").await;
    assert_eq!(status, 400);
    // The same id with another value is another request, not a retry.
    let (status, _) = h.refund(&token, &e2e, "r1", "1.00").await;
    assert_eq!(status, 400);

    let (status, charge) = h.control(reqwest::Method::GET, &format!("/control/charges/{txid}"), Value::Null).await;
    assert_eq!(status, 200);
    let refunds = charge["pix"][0]["devolucoes"].as_array().expect("refunds");
    assert_eq!(refunds.len(), 2);
    let (_, pix) = h.api_get(&token, &format!("/pix/{e2e}")).await;
    assert_eq!(pix["devolucoes"].as_array().map(Vec::len), Some(2));

    let unknown = format!("E12345678202401010000{}", "x".repeat(11));
    let (status, problem) = h.refund(&token, &unknown, "r1", "1.00").await;
    assert_eq!(status, 404);
    assert_eq!(problem["type"], "https://pix.bcb.gov.br/api/v2/error/PixNaoEncontrado");
    let (status, _) = h.api_get(&token, &format!("/pix/{e2e}/devolucao/nope")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_notification_is_retried_until_the_webhook_takes_it() {
    let (receiver, url) = Receiver::start(1).await;
    let h = Harness::start(Some(url)).await;
    let token = h.token().await;
    let txid = new_txid();
    h.put_cob(&token, &txid, cob_body("25.00", 3600)).await;
    let (_, paid) = h.pay(&txid, json!({})).await;
    let e2e = paid["end_to_end_ids"][0].clone();

    eventually("the retried delivery", Duration::from_secs(5), || receiver.bodies().len() == 1).await;
    assert_eq!(receiver.calls(), 2, "one 503, then accepted");
    let body = &receiver.bodies()[0];
    assert_eq!(body["pix"][0]["endToEndId"], e2e);
    assert_eq!(body["pix"][0]["txid"], txid.as_str());
    assert_eq!(body["pix"][0]["valor"], "25.00");

    let log = h.notifications().await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["delivered"], true);
    assert_eq!(log[0]["last_status"], 200);
}

#[tokio::test]
async fn notification_faults_and_hand_made_notifications() {
    let (receiver, url) = Receiver::start(0).await;
    // No webhook configured: registered through the API instead.
    let h = Harness::start(None).await;
    let token = h.token().await;
    let response = h
        .api
        .put(format!("{}/webhook/pix@bilheteria.test", h.psp.api_url))
        .bearer_auth(&token)
        .json(&json!({"webhookUrl": url}))
        .send()
        .await
        .expect("PUT webhook");
    assert_eq!(response.status(), 200);
    let (status, webhook) = h.api_get(&token, "/webhook/pix@bilheteria.test").await;
    assert_eq!(status, 200);
    assert_eq!(webhook["webhookUrl"], url.as_str());

    // Duplicated: each notification arrives twice.
    let set_faults = |faults: Value| h.control(reqwest::Method::PUT, "/control/faults", faults);
    let (status, _) = set_faults(json!({"duplicate_notifications": true})).await;
    assert_eq!(status, 200);
    let duplicated = new_txid();
    h.put_cob(&token, &duplicated, cob_body("5.00", 3600)).await;
    h.pay(&duplicated, json!({})).await;
    eventually("two copies", Duration::from_secs(5), || receiver.calls() == 2).await;

    // Dropped: logged, never sent.
    set_faults(json!({"drop_notifications": true})).await;
    let dropped = new_txid();
    h.put_cob(&token, &dropped, cob_body("5.00", 3600)).await;
    let (_, paid) = h.pay(&dropped, json!({"payments": 2})).await;
    let ids: Vec<Value> = paid["end_to_end_ids"].as_array().expect("ids").clone();
    assert_eq!(ids.len(), 2);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.calls(), 2);
    let log = h.notifications().await;
    assert_eq!(log.len(), 3);
    assert_eq!(log[2]["dropped"], true);
    assert_eq!(log[2]["attempts"], 0);
    assert_eq!(log[2]["body"]["pix"].as_array().map(Vec::len), Some(2));

    // Faults off: a hand-made notification, the two Pix in reverse order, in one body.
    set_faults(json!({})).await;
    let (status, _) = h
        .control(
            reqwest::Method::POST,
            &format!("/control/charges/{dropped}/notify"),
            json!({"end_to_end_ids": [ids[1], ids[0]]}),
        )
        .await;
    assert_eq!(status, 202);
    eventually("the hand-made notification", Duration::from_secs(5), || receiver.calls() == 3).await;
    let last = receiver.bodies()[2].clone();
    assert_eq!(last["pix"][0]["endToEndId"], ids[1]);
    assert_eq!(last["pix"][1]["endToEndId"], ids[0]);

    // Unregistered: nothing more is sent.
    let response = h
        .api
        .delete(format!("{}/webhook/pix@bilheteria.test", h.psp.api_url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("DELETE webhook");
    assert_eq!(response.status(), 204);
    h.control(reqwest::Method::POST, &format!("/control/charges/{dropped}/notify"), json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.calls(), 3);
    let log = h.notifications().await;
    assert_eq!(log.last().map(|r| r["url"].clone()), Some(Value::Null));
}

#[tokio::test]
async fn unavailable_and_slow_faults() {
    let h = Harness::start(None).await;
    let token = h.token().await;

    h.control(reqwest::Method::PUT, "/control/faults", json!({"unavailable": true})).await;
    let (status, faults) = h.control(reqwest::Method::GET, "/control/faults", Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(faults["unavailable"], true);
    let response = h
        .api
        .post(&h.psp.oauth_url)
        .basic_auth(&h.psp.credentials.client_id, Some(&h.psp.credentials.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("request");
    let (status, problem) = read(response).await;
    assert_eq!(status, 503);
    assert_eq!(problem["type"], "https://pix.bcb.gov.br/api/v2/error/ServicoIndisponivel");
    let (status, _) = h.api_get(&token, &format!("/cob/{}", new_txid())).await;
    assert_eq!(status, 503);

    h.control(reqwest::Method::PUT, "/control/faults", json!({"delay_ms": 300})).await;
    let started = Instant::now();
    let (status, _) = h.api_get(&token, &format!("/cob/{}", new_txid())).await;
    assert_eq!(status, 404);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let (status, _) = h.control(reqwest::Method::PUT, "/control/faults", json!({"unavailabel": true})).await;
    assert_eq!(status, 400, "a misspelt fault is refused");
    let (status, _) = h.control(reqwest::Method::GET, "/control/health", Value::Null).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn dropping_the_handle_stops_the_servers() {
    let h = Harness::start(None).await;
    let control_url = format!("{}/control/health", h.psp.control_url);
    let addr = h.psp.api_addr;
    h.psp.shutdown().await;
    assert!(reqwest::get(&control_url).await.is_err());
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
