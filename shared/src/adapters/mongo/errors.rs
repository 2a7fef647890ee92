//! The driver's errors, classified by what they are — the error kind, the server's codes
//! and the driver's labels — never by their message text (which changes between versions
//! and servers).

use crate::error::{AppError, StoreError};
use mongodb::error::{Error, ErrorKind, WriteFailure, TRANSIENT_TRANSACTION_ERROR};

/// The server's "a document with this key already exists".
const DUPLICATE_KEY: i32 = 11000;
/// The server's write conflict (another write to the same document won).
const WRITE_CONFLICT: i32 = 112;

/// What the server said, if it said a code: a command's, a write's, or one of an
/// `insertMany`'s per-document errors.
fn codes(err: &Error) -> Vec<i32> {
    match err.kind.as_ref() {
        ErrorKind::Command(e) => vec![e.code],
        ErrorKind::Write(WriteFailure::WriteError(e)) => vec![e.code],
        ErrorKind::Write(WriteFailure::WriteConcernError(e)) => vec![e.code],
        ErrorKind::InsertMany(e) => e.write_errors.iter().flatten().map(|w| w.code).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn is_duplicate_key(err: &Error) -> bool {
    codes(err).contains(&DUPLICATE_KEY)
}

/// The server could not be reached at all, or the connection to it failed.
fn is_unreachable(err: &Error) -> bool {
    matches!(
        err.kind.as_ref(),
        ErrorKind::ServerSelection { .. } | ErrorKind::Io(_) | ErrorKind::ConnectionPoolCleared { .. }
    )
}

/// The driver refused to start a transaction because the deployment has none (a standalone
/// server): the caller falls back to writes without one.
pub(crate) fn is_transactions_unsupported(err: &Error) -> bool {
    matches!(err.kind.as_ref(), ErrorKind::Transaction { .. })
}

pub(crate) fn classify(context: &'static str, err: Error) -> StoreError {
    let conflict = err.contains_label(TRANSIENT_TRANSACTION_ERROR) || codes(&err).contains(&WRITE_CONFLICT);
    let source = Box::new(err.clone());
    if is_unreachable(&err) {
        StoreError::Unavailable { context, source }
    } else if conflict {
        StoreError::Conflict { context, source }
    } else if is_duplicate_key(&err) {
        StoreError::DuplicateKey { context, source }
    } else {
        StoreError::Other { context, source }
    }
}

/// `.map_err(db_error("storing an order"))`: the driver's error, classified, as an `AppError`.
pub(crate) fn db_error(context: &'static str) -> impl Fn(Error) -> AppError {
    move |err| AppError::Store(classify(context, err))
}

/// One document or statement of a grouped write that the server refused (its code and
/// message as the reply's `writeErrors` gave them), as an `AppError`.
pub(crate) fn refused(context: &'static str, code: i32, message: &str) -> AppError {
    let source = format!("refused by the server (code {code}): {message}").into();
    AppError::Store(StoreError::Other { context, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    /// A command error as the server sends it, whatever its message says.
    fn command_error(code: i32, message: &str) -> Error {
        let reply = doc! {"code": code, "codeName": "Whatever", "errmsg": message};
        Error::from(ErrorKind::Command(mongodb::bson::from_document(reply).expect("a command error")))
    }

    #[test]
    fn a_write_conflict_is_a_conflict_by_its_code_not_its_message() {
        assert!(classify("x", command_error(WRITE_CONFLICT, "anything at all")).is_conflict());
        assert!(!classify("x", command_error(2, "WriteConflict error: this operation conflicted")).is_conflict());
    }

    #[test]
    fn a_duplicate_key_is_classified_by_its_code() {
        assert!(matches!(classify("x", command_error(DUPLICATE_KEY, "")), StoreError::DuplicateKey { .. }));
        assert!(matches!(classify("x", command_error(13, "E11000 duplicate key")), StoreError::Other { .. }));
    }
}
