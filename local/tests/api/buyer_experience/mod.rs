//! The buyer's experience (issue 16): quotes and the price they hold a reservation to, a
//! cancelled event's page and orders, orders and tickets that say when and where, the
//! password reset, the language e-mails are written in, tickets as a PDF, the orders export
//! for spreadsheets (and a large one through a link), and real e-mail over SMTP.

mod documents;
mod password_reset;
mod quotes_and_pages;
mod smtp;
