//! Collections in the Postman Collection Format (R-COL-1).
//!
//! Files are kept as JSON rather than typed structs: real collections carry
//! fields the schema does not know, and fields in shapes it does not allow
//! (object-style v2.0 auth, `request` as a string, `event` as an object…),
//! and all of them must come back out unchanged. Only the item tree is
//! modelled, because forks, merges and single-item edits address folders,
//! requests and responses one by one, by a stable [`ItemUid`].

mod export;
mod import;
mod model;
mod v1;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod v1_tests;

pub use export::{export, export_with_ids};
pub use import::{MAX_FOLDER_DEPTH, import, import_json};
pub use model::{Collection, DepthFirst, Item, ItemKind, ItemUid, Response};
pub use v1::SCHEMA_V21;
