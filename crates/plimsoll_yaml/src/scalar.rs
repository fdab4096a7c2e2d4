//! Scalar typing the way Kubernetes reads YAML.
//!
//! `kubectl` and the API server decode YAML through `sigs.k8s.io/yaml`, which follows go-yaml v2
//! and therefore YAML 1.1's resolution of plain scalars: `yes`, `on`, `y` are booleans, `0777`
//! is octal, `~` is null. Quoted scalars are always strings. Plimsoll types plain scalars the
//! same way, so that `value: yes` in an `EnvVar` is seen as the boolean Kubernetes would reject.

/// A typed scalar value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl<'a> Scalar<'a> {
    /// Resolve a plain (unquoted, untagged) scalar.
    pub fn resolve_plain(text: &'a str) -> Scalar<'a> {
        match text {
            "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
                return Scalar::Bool(true);
            }
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False"
            | "FALSE" => return Scalar::Bool(false),
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
                return Scalar::Float(f64::INFINITY);
            }
            "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
            ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
            _ => {}
        }
        let first = text.as_bytes()[0];
        if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
            return Scalar::Str(text);
        }
        if let Some(i) = parse_int(text) {
            return Scalar::Int(i);
        }
        if let Some(f) = parse_float(text) {
            return Scalar::Float(f);
        }
        Scalar::Str(text)
    }

    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let cleaned;
    let t = if text.contains('_') {
        cleaned = text.replace('_', "");
        cleaned.as_str()
    } else {
        text
    };
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() {
        return None;
    }
    let magnitude = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(b) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        i64::from_str_radix(b, 2).ok()?
    } else if let Some(o) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        i64::from_str_radix(o, 8).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<i64>().ok()?
    };
    Some(if neg { -magnitude } else { magnitude })
}

fn parse_float(text: &str) -> Option<f64> {
    let t = text.replace('_', "");
    // Only decimal float syntax; Rust's parser also accepts "inf"/"nan" words, which YAML does not.
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    t.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::Scalar::*;
    use super::*;

    #[test]
    fn yaml11_booleans_and_nulls() {
        for t in ["yes", "Yes", "on", "ON", "y", "true"] {
            assert_eq!(Scalar::resolve_plain(t), Bool(true), "{t}");
        }
        for t in ["no", "off", "N", "False"] {
            assert_eq!(Scalar::resolve_plain(t), Bool(false), "{t}");
        }
        assert_eq!(Scalar::resolve_plain("~"), Null);
        assert_eq!(Scalar::resolve_plain(""), Null);
        assert_eq!(Scalar::resolve_plain("nope"), Str("nope"));
    }

    #[test]
    fn numbers() {
        assert_eq!(Scalar::resolve_plain("3"), Int(3));
        assert_eq!(Scalar::resolve_plain("-3"), Int(-3));
        assert_eq!(Scalar::resolve_plain("0777"), Int(511));
        assert_eq!(Scalar::resolve_plain("0x1F"), Int(31));
        assert_eq!(Scalar::resolve_plain("1_000"), Int(1000));
        assert_eq!(Scalar::resolve_plain("1.5"), Float(1.5));
        assert_eq!(Scalar::resolve_plain("1e3"), Float(1000.0));
        assert_eq!(Scalar::resolve_plain("1.2.3"), Str("1.2.3"));
        assert_eq!(Scalar::resolve_plain("500m"), Str("500m"));
        assert_eq!(Scalar::resolve_plain("-"), Str("-"));
        assert_eq!(Scalar::resolve_plain("1Gi"), Str("1Gi"));
    }
}
