//! Portico's product rules, free of IO: the words of the product (users, teams,
//! plans, roles), the parsing that turns untrusted input into those words, and
//! the one policy that decides every permission.

pub mod collection;
pub mod environment;
pub mod error;
pub mod ids;
pub mod integration;
pub mod openapi;
pub mod plan;
pub mod policy;
pub mod roles;
pub mod sign_in;
pub mod values;
pub mod workspace;

pub use error::{Error, ErrorKind};
