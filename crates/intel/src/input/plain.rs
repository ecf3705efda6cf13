//! Plain lines of values: each non-empty line not starting with `#` is one value, classified
//! by its form (an address, a hash, a URL, an e-mail address, a domain name).

use charter_pattern::index::classify;

use super::{Input, Reader, Record};
use crate::{Error, ErrorKind, Result};

/// A reader of one value per line.
pub struct PlainReader {
    input: Input,
    position: u64,
}

impl PlainReader {
    /// A reader over `input`.
    pub fn new(input: Input) -> PlainReader {
        PlainReader { input, position: 0 }
    }
}

impl Reader for PlainReader {
    fn next_record(&mut self, record: &mut Record) -> Result<bool> {
        loop {
            self.position += 1;
            let position = self.position;
            let Some(line) = self.input.line(position)? else {
                return Ok(false);
            };
            let value = std::str::from_utf8(line)
                .map_err(|e| {
                    Error::new(
                        ErrorKind::BadRecord,
                        format!(
                            "line {position}: not UTF-8 text (a bad byte after {} bytes)",
                            e.valid_up_to()
                        ),
                    )
                })?
                .trim();
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
        self.input.bytes_read()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_is_not_utf8_is_named_and_the_rest_is_read() {
        let data = b"198.51.100.7\r\nbad\xff.example\n# a comment\n\n  x.example  ".to_vec();
        let input =
            super::super::open_input(Box::new(std::io::Cursor::new(data))).expect("test value");
        let mut reader = PlainReader::new(input);
        let mut record = Record::default();
        let (mut out, mut bad) = (Vec::new(), Vec::new());
        loop {
            match reader.next_record(&mut record) {
                Ok(true) => {
                    let values: Vec<String> = record
                        .values()
                        .map(|(f, v)| format!("{}={v}", f.name()))
                        .collect();
                    out.push((record.position, values));
                }
                Ok(false) => break,
                Err(e) => bad.push(e.message().to_owned()),
            }
        }
        assert_eq!(
            out,
            [
                (1, vec!["ip=198.51.100.7".to_owned()]),
                (5, vec!["domain=x.example".to_owned()])
            ]
        );
        assert_eq!(bad, ["line 2: not UTF-8 text (a bad byte after 3 bytes)"]);
    }
}
