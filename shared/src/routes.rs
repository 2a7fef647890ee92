//! The single route table: every API route, its method, path template, the Lambda function
//! that serves it, and whether it needs a token. The local router, each function's
//! dispatcher, `openapi.yaml` and `template.yaml` are all checked against this table.

use crate::error::AppError;
use http::Method;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteId {
    Register,
    Login,
    Refresh,
    Logout,
    VerifyEmail,
    Me,
    SetCpf,
    ChangePassword,
    ResendVerification,
    SetLanguage,
    RequestPasswordReset,
    ResetPassword,
    DeleteAccount,
    SetUserRole,
    ListEvents,
    GetEvent,
    QuoteEvent,
    AdminListEvents,
    CreateEvent,
    UpdateEvent,
    SetEventStatus,
    CancelEvent,
    DeleteEvent,
    CreateAdmin,
    AuditLog,
    ReserveOrder,
    ListOrders,
    GetOrder,
    PayOrder,
    CancelOrder,
    RefundOrder,
    OrderTickets,
    OrderTicketsPdf,
    Dashboard,
    EventInventory,
    EventOrdersCsv,
    /// The PSP's notifications: the registered URL, and the same with the `/pix` the API
    /// Pix appends to it.
    PixWebhook,
    PixWebhookPix,
    MyTickets,
    TransferTicket,
    CreateGateStaff,
    GateReport,
    GateKeys,
    CheckIn,
    GateManifest,
    GateScans,
    JoinQueue,
    QueueStatus,
    AdmitFromQueue,
    AdminQueue,
    ConfigureQueue,
}

#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub id: RouteId,
    pub method: &'static str,
    /// Path template with `{param}` segments, exactly as API Gateway writes it.
    pub path: &'static str,
    /// The function crate (and Lambda binary) that serves it.
    pub function: &'static str,
}

pub const AUTH: &str = "auth";
pub const EVENTS: &str = "events";
pub const ADMIN_EVENTS: &str = "admin-events";
pub const ORDERS: &str = "orders";
pub const DASHBOARD: &str = "dashboard";
pub const PAYMENTS_WEBHOOK: &str = "payments-webhook";
pub const GATE: &str = "gate";
pub const QUEUE: &str = "queue";

const fn route(id: RouteId, method: &'static str, path: &'static str, function: &'static str) -> Route {
    Route { id, method, path, function }
}

pub const ROUTES: &[Route] = &[
    route(RouteId::Register, "POST", "/api/v1/auth/register", AUTH),
    route(RouteId::Login, "POST", "/api/v1/auth/login", AUTH),
    route(RouteId::Refresh, "POST", "/api/v1/auth/refresh", AUTH),
    route(RouteId::Logout, "POST", "/api/v1/auth/logout", AUTH),
    route(RouteId::VerifyEmail, "POST", "/api/v1/auth/verify-email", AUTH),
    route(RouteId::Me, "GET", "/api/v1/me", AUTH),
    route(RouteId::DeleteAccount, "DELETE", "/api/v1/me", AUTH),
    route(RouteId::SetCpf, "PUT", "/api/v1/me/cpf", AUTH),
    route(RouteId::ChangePassword, "POST", "/api/v1/me/password", AUTH),
    route(RouteId::ResendVerification, "POST", "/api/v1/me/verification", AUTH),
    route(RouteId::SetLanguage, "PUT", "/api/v1/me/language", AUTH),
    route(RouteId::RequestPasswordReset, "POST", "/api/v1/auth/password-reset", AUTH),
    route(RouteId::ResetPassword, "POST", "/api/v1/auth/password-reset/confirm", AUTH),
    route(RouteId::ListEvents, "GET", "/api/v1/events", EVENTS),
    route(RouteId::GetEvent, "GET", "/api/v1/events/{id}", EVENTS),
    route(RouteId::QuoteEvent, "GET", "/api/v1/events/{id}/quote", EVENTS),
    route(RouteId::JoinQueue, "POST", "/api/v1/events/{id}/queue", QUEUE),
    route(RouteId::QueueStatus, "GET", "/api/v1/events/{id}/queue/status", QUEUE),
    route(RouteId::AdmitFromQueue, "POST", "/api/v1/events/{id}/queue/admission", QUEUE),
    route(RouteId::AdminQueue, "GET", "/api/v1/admin/events/{id}/queue", QUEUE),
    route(RouteId::ConfigureQueue, "PUT", "/api/v1/admin/events/{id}/queue", QUEUE),
    route(RouteId::AdminListEvents, "GET", "/api/v1/admin/events", ADMIN_EVENTS),
    route(RouteId::CreateEvent, "POST", "/api/v1/admin/events", ADMIN_EVENTS),
    route(RouteId::UpdateEvent, "PUT", "/api/v1/admin/events/{id}", ADMIN_EVENTS),
    route(RouteId::SetEventStatus, "PATCH", "/api/v1/admin/events/{id}/status", ADMIN_EVENTS),
    route(RouteId::CancelEvent, "POST", "/api/v1/admin/events/{id}/cancel", ADMIN_EVENTS),
    route(RouteId::DeleteEvent, "DELETE", "/api/v1/admin/events/{id}", ADMIN_EVENTS),
    route(RouteId::CreateAdmin, "POST", "/api/v1/admin/users", ADMIN_EVENTS),
    route(RouteId::SetUserRole, "PUT", "/api/v1/admin/users/{id}/role", ADMIN_EVENTS),
    route(RouteId::AuditLog, "GET", "/api/v1/admin/audit", ADMIN_EVENTS),
    route(RouteId::ReserveOrder, "POST", "/api/v1/orders", ORDERS),
    route(RouteId::ListOrders, "GET", "/api/v1/orders", ORDERS),
    route(RouteId::GetOrder, "GET", "/api/v1/orders/{id}", ORDERS),
    route(RouteId::PayOrder, "POST", "/api/v1/orders/{id}/pay", ORDERS),
    route(RouteId::CancelOrder, "POST", "/api/v1/orders/{id}/cancel", ORDERS),
    route(RouteId::RefundOrder, "POST", "/api/v1/orders/{id}/refund", ORDERS),
    route(RouteId::OrderTickets, "GET", "/api/v1/orders/{id}/tickets", ORDERS),
    route(RouteId::OrderTicketsPdf, "GET", "/api/v1/orders/{id}/tickets.pdf", ORDERS),
    route(RouteId::MyTickets, "GET", "/api/v1/tickets", ORDERS),
    route(RouteId::TransferTicket, "POST", "/api/v1/tickets/{code}/transfer", ORDERS),
    route(RouteId::CreateGateStaff, "POST", "/api/v1/admin/events/{id}/gate-staff", ADMIN_EVENTS),
    route(RouteId::GateReport, "GET", "/api/v1/admin/events/{id}/gate", DASHBOARD),
    route(RouteId::GateKeys, "GET", "/api/v1/gate/keys", GATE),
    route(RouteId::CheckIn, "POST", "/api/v1/gate/checkins", GATE),
    route(RouteId::GateManifest, "GET", "/api/v1/gate/events/{id}/manifest", GATE),
    route(RouteId::GateScans, "POST", "/api/v1/gate/events/{id}/scans", GATE),
    route(RouteId::PixWebhook, "POST", "/api/v1/payments/pix/webhook", PAYMENTS_WEBHOOK),
    route(RouteId::PixWebhookPix, "POST", "/api/v1/payments/pix/webhook/pix", PAYMENTS_WEBHOOK),
    route(RouteId::Dashboard, "GET", "/api/v1/admin/dashboard", DASHBOARD),
    route(RouteId::EventInventory, "GET", "/api/v1/admin/events/{id}/inventory", DASHBOARD),
    route(RouteId::EventOrdersCsv, "GET", "/api/v1/admin/events/{id}/orders.csv", DASHBOARD),
];

/// A route matched against a request, with its path parameters.
#[derive(Clone, Debug)]
pub struct Matched {
    pub route: Route,
    pub params: Vec<(&'static str, String)>,
}

impl Matched {
    pub fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }
}

fn match_path(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    let mut params = Vec::new();
    let mut want = template.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) => {
                if let Some(name) = w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    if g.is_empty() {
                        return None;
                    }
                    params.push((name, percent_decode(g)));
                } else if w != g {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Finds the route for a request among `routes`: 404 when no path matches, 405 when the
/// path exists but not with this method.
pub fn resolve_in(routes: &[Route], method: &Method, path: &str) -> Result<Matched, AppError> {
    let mut path_exists = false;
    for route in routes {
        if let Some(params) = match_path(route.path, path) {
            if route.method == method.as_str() {
                return Ok(Matched { route: *route, params });
            }
            path_exists = true;
        }
    }
    if path_exists {
        Err(AppError::MethodNotAllowed(format!("{method} is not allowed on {path}")))
    } else {
        Err(AppError::NotFound(format!("no route for {path}")))
    }
}

/// Resolves among every route (the local router).
pub fn resolve(method: &Method, path: &str) -> Result<Matched, AppError> {
    resolve_in(ROUTES, method, path)
}

/// Resolves among one function's routes (inside that function).
pub fn resolve_for(function: &str, method: &Method, path: &str) -> Result<Matched, AppError> {
    let own: Vec<Route> = ROUTES.iter().filter(|r| r.function == function).copied().collect();
    resolve_in(&own, method, path)
}

/// Every function that serves HTTP routes.
pub fn http_functions() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = ROUTES.iter().map(|r| r.function).collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_an_id_matches_its_template() {
        let m = resolve(&Method::GET, "/api/v1/orders/abc").expect("match");
        assert_eq!(m.route.id, RouteId::GetOrder);
        assert_eq!(m.param("id"), "abc");
    }

    #[test]
    fn a_known_path_with_the_wrong_method_is_405_and_an_unknown_path_404() {
        assert!(matches!(resolve(&Method::DELETE, "/api/v1/orders"), Err(AppError::MethodNotAllowed(_))));
        assert!(matches!(resolve(&Method::GET, "/api/v1/nothing"), Err(AppError::NotFound(_))));
    }

    #[test]
    fn a_trailing_slash_is_tolerated() {
        assert_eq!(resolve(&Method::GET, "/api/v1/events/").expect("match").route.id, RouteId::ListEvents);
    }

    #[test]
    fn every_route_is_unique() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{} {}", a.method, a.path);
            }
        }
    }
}
