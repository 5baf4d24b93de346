//! Secret values named by the host (`dagger compute --input-secret`): the
//! evaluator refuses to build a new value out of one (interpolation, `+`,
//! `*`, a library call), so a secret can only be passed on as it is, to a
//! place the host checks (a secret mount or secret env). Comparisons and
//! constraints (`=~`, bounds, validators) still apply to it. Error messages
//! from here never quote the value.

use super::*;
use crate::data::Data;

impl Evaluator {
    /// Sets the secret values (empty ones are ignored).
    pub fn set_secrets(&mut self, secrets: Rc<[Box<str>]>) {
        self.secrets = secrets;
    }

    /// Whether `bytes` holds one of the secrets.
    pub(crate) fn holds_secret(&self, bytes: &[u8]) -> bool {
        self.secrets.iter().any(|s| {
            let s = s.as_bytes();
            !s.is_empty() && bytes.len() >= s.len() && bytes.windows(s.len()).any(|w| w == s)
        })
    }

    /// Whether a value about to be used as an operand or argument holds a
    /// secret (strings and bytes, and the leaves of lists and structs).
    pub(crate) fn value_holds_secret(&mut self, v: &Value) -> bool {
        if self.secrets.is_empty() {
            return false;
        }
        match v {
            Value::Str(s) => self.holds_secret(s.as_bytes()),
            Value::Bytes(b) => self.holds_secret(b),
            Value::Vertex(_) => match self.value_to_data(v.clone()) {
                Ok(d) => self.data_holds_secret(&d),
                Err(_) => false,
            },
            _ => false,
        }
    }

    fn data_holds_secret(&self, d: &Data) -> bool {
        match d {
            Data::String(s) => self.holds_secret(s.as_bytes()),
            Data::Bytes(b) => self.holds_secret(b),
            Data::List(l) => l.iter().any(|e| self.data_holds_secret(e)),
            Data::Struct(fields) => fields.iter().any(|(_, e)| self.data_holds_secret(e)),
            Data::Null | Data::Bool(_) | Data::Number(_) => false,
        }
    }

    /// The error for a secret used to build another value by `how`.
    pub(crate) fn secret_misuse(&mut self, how: &str, span: Span) -> Value {
        self.bottom(
            Code::Eval,
            format!(
                "{} in {how}: it reaches a container only as it is, \
                 through a secret mount or a secret env var",
                crate::SECRET_MISUSE
            ),
            vec![span],
        )
    }
}
