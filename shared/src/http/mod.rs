//! HTTP at the edge: reading requests, writing JSON responses, and turning every
//! `AppError` into an RFC 9457 problem document (in one place: `problem`).

pub mod cacheable;
pub mod cookies;
pub mod problem;
pub mod request;
pub mod response;
pub mod serve;

pub use problem::problem_response;
pub use request::{
    admin, bearer_token, caller, client_address, cookie, gate, header, if_match, json_body, page, query_param,
    request_id, RequestId,
};
pub use response::{json, json_page, json_versioned, respond};
