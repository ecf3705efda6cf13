//! Plain lines of values: each non-empty line not starting with `#` is one value, classified
//! by its form (an address, a hash, a URL, an e-mail address, a domain name).

use charter_pattern::index::classify;

use super::{Input, Reader, Record};
use crate::{Error, ErrorKind, Result};

/// A reader of one value per line.
pub struct PlainReader {
    input: Input,
    line: String,
    position: u64,
}

impl PlainReader {
    /// A reader over `input`.
    pub fn new(input: Input) -> PlainReader {
        PlainReader {
            input,
            line: String::new(),
            position: 0,
        }
    }
}

impl Reader for PlainReader {
    fn next_record(&mut self, record: &mut Record) -> Result<bool> {
        loop {
            self.position += 1;
            if !self.input.line(&mut self.line, self.position)? {
                return Ok(false);
            }
            let value = self.line.trim();
            if value.is_empty() || value.starts_with('#') {
                continue;
            }
            record.clear();
            record.position = self.position;
            match classify(value) {
                Some(field) => {
                    record.push(field, value);
                    return Ok(true);
                }
                None => {
                    return Err(Error::new(
                        ErrorKind::BadRecord,
                        format!(
                            "line {}: '{}' is not an address, domain name, URL, e-mail address or hash",
                            self.position,
                            value.chars().take(80).collect::<String>()
                        ),
                    ));
                }
            }
        }
    }

    fn bytes_read(&self) -> u64 {
        self.input.bytes()
    }
}
