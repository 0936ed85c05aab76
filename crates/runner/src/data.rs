//! Iteration data files (CSV, JSON) and environment / globals files.

use portico_script::Vars;
use serde_json::Value;

/// Rows of a data file: a JSON array of objects, or CSV with a header line.
pub fn parse_data(text: &str) -> Result<Vec<Vars>, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        let value: Value = serde_json::from_str(trimmed).map_err(|e| format!("data file: {e}"))?;
        let Value::Array(rows) = value else {
            return Err("data file: not a JSON array".into());
        };
        rows.into_iter()
            .map(|row| match row {
                Value::Object(map) => Ok(map.into_iter().collect()),
                _ => Err("data file: every element must be an object".to_owned()),
            })
            .collect()
    } else {
        let mut records = parse_csv(trimmed)?.into_iter();
        let Some(header) = records.next() else {
            return Ok(Vec::new());
        };
        Ok(records
            .filter(|r| !(r.len() == 1 && r[0].is_empty()))
            .map(|r| header.iter().cloned().zip(r.into_iter().map(Value::String)).collect())
            .collect())
    }
}

/// RFC 4180 CSV: quoted fields with `""` escapes and line breaks, CRLF or LF.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                any = false;
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err("data file: a quoted CSV field is not closed".into());
    }
    if any {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// The variables of an environment or globals file: the platform's format
/// `{"values": [{"key", "value", "enabled"}]}` (also wrapped as
/// `{"environment": {…}}`, as Portico's API returns it), or a plain
/// `{"name": "value"}` object.
pub fn parse_variables(text: &str) -> Result<Vars, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let value = match value.get("environment") {
        Some(inner) if inner.get("values").is_some() => inner.clone(),
        _ => value,
    };
    let mut vars = Vars::new();
    match value.get("values") {
        Some(Value::Array(list)) => {
            for v in list {
                if v.get("enabled").and_then(Value::as_bool) == Some(false) {
                    continue;
                }
                if let Some(k) = v.get("key").and_then(Value::as_str) {
                    vars.insert(
                        k.to_owned(),
                        v.get("value").cloned().unwrap_or(Value::String(String::new())),
                    );
                }
            }
        }
        _ => match value {
            Value::Object(map) => vars.extend(map),
            _ => return Err("not an environment file".into()),
        },
    }
    Ok(vars)
}

/// A collection's `variable` list.
pub fn collection_variables(collection: &Value) -> Vars {
    let mut vars = Vars::new();
    if let Some(list) = collection.get("variable").and_then(Value::as_array) {
        for v in list {
            if v.get("disabled").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let key = v.get("key").or_else(|| v.get("id")).and_then(Value::as_str);
            if let Some(k) = key {
                vars.insert(
                    k.to_owned(),
                    v.get("value").cloned().unwrap_or(Value::String(String::new())),
                );
            }
        }
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Issue 11 part 1: CSV data files (RFC 4180 quoting).
    #[test]
    fn csv_rows_with_quotes_and_crlf() {
        let Ok(rows) = parse_data("a,b\r\n1,\"x, \"\"y\"\"\"\r\n2,\"multi\nline\"\n") else {
            panic!("csv")
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["b"], json!("x, \"y\""));
        assert_eq!(rows[1]["b"], json!("multi\nline"));
        assert!(parse_data("a\n\"open").is_err());
    }

    /// Issue 11 part 1: JSON data files.
    #[test]
    fn json_rows_keep_types() {
        let Ok(rows) = parse_data("[{\"n\": 1}, {\"n\": \"two\"}]") else {
            panic!("json")
        };
        assert_eq!(rows[0]["n"], json!(1));
        assert!(parse_data("[1]").is_err());
    }

    /// Issue 11 part 3: environment files as the platform and Portico export them.
    #[test]
    fn environment_formats() {
        let Ok(v) = parse_variables(
            r#"{"environment": {"name": "e", "values": [{"key": "a", "value": "1", "enabled": true}, {"key": "b", "value": "2", "enabled": false}]}}"#,
        ) else {
            panic!("env")
        };
        assert_eq!(v.get("a"), Some(&json!("1")));
        assert!(!v.contains_key("b"));
    }
}
