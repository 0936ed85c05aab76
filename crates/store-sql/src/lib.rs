//! The SQL of Portico, written once for both backends.
//!
//! Backends implement [`SqlConn`] (run a statement with positional `$1…`
//! parameters, materialise rows as [`Value`]s) and wrap a connection in
//! [`SqlTx`], which implements the store's `Tx` with this crate's queries.
//! Both schemas use the same column names and only these column types:
//! 64-bit integers, text and booleans (timestamps are Unix milliseconds).

mod pool;
mod queries;

pub use pool::{Pool, PooledConn};
pub use queries::SqlTx;

use portico_store::StoreError;

/// A parameter or column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn col(&self, i: usize) -> Result<&Value, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Corrupt(format!("missing column {i}")))
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.col(i)? {
            Value::Int(v) => Ok(*v),
            Value::Bool(b) => Ok(i64::from(*b)),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected integer, got {other:?}"
            ))),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.col(i)? {
            Value::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    pub fn text(&self, i: usize) -> Result<&str, StoreError> {
        match self.col(i)? {
            Value::Text(v) => Ok(v),
            other => Err(StoreError::Corrupt(format!("column {i}: expected text, got {other:?}"))),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        match self.col(i)? {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    pub fn bool(&self, i: usize) -> Result<bool, StoreError> {
        match self.col(i)? {
            Value::Bool(b) => Ok(*b),
            Value::Int(v) => Ok(*v != 0),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected boolean, got {other:?}"
            ))),
        }
    }
}

/// A database connection able to run one statement at a time.
pub trait SqlConn {
    /// Runs a statement that returns no rows; answers the number of rows changed.
    fn execute(&mut self, sql: &'static str, params: &[Value]) -> Result<u64, StoreError>;
    /// Runs a query and collects its rows.
    fn query(&mut self, sql: &'static str, params: &[Value]) -> Result<Vec<Row>, StoreError>;
}
