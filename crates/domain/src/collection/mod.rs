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
mod items;
mod merge;
mod model;
mod stored;
mod stream;
mod tree;
mod v1;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod v1_tests;

pub use export::{export, export_owned, export_with_ids, export_with_ids_owned};
pub use import::{MAX_FOLDER_DEPTH, import, import_json, import_owned};
pub use items::{check_depth, folder_from_api, folder_height, request_from_api, response_from_api};
pub use merge::{
    ChangeKind, Conflict, ConflictKey, ItemChange, Location, LocationChange, MergeOutcome, Resolutions, Side, changes,
    match_identities, three_way, three_way_owned,
};
pub use model::{Collection, DepthFirst, Item, ItemKind, ItemUid, Response};
pub use stored::{NodeText, body_text, export_text};
pub use stream::{import_nodes_reader, import_nodes_slice};
pub use tree::{
    FieldChange, FlatNode, NodeKind, POSITION_STEP, assemble, diff, flatten, flatten_item, flatten_owned, position_at,
    response_node, root_body, slot, visible_fields,
};
pub use v1::SCHEMA_V21;
