//! The bytes of an input, read in large blocks and handed out a line at a time straight
//! from the block: no copy into a `String`, no UTF-8 check of the whole line. Each reader
//! checks only the bytes it reads as text (a Zeek reader only the fields it compares), so a
//! stray byte in a column nobody reads costs nothing and breaks nothing.
//!
//! Lines end at `\n`; the `\r`s before it are dropped, and so is a last line's missing
//! break. A line longer than the block grows the block (to the line's length, as a
//! `String` would). Gzip input (told by its magic bytes) is decompressed on the way.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::bytes::find_byte;
use crate::{Error, ErrorKind, Result};

/// The bytes read from the source at a time.
const BLOCK: usize = 256 * 1024;

/// Counts the bytes read through it.
pub(crate) struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An opened input: its bytes (decompressed if it was gzip) in a block buffer, handed out
/// as lines or, through [`BufRead`], as they come; and a count of the bytes read.
pub struct Input {
    source: Box<dyn Read + Send>,
    buf: Vec<u8>,
    /// The first byte not yet handed out.
    start: usize,
    /// The end of the bytes read into `buf`.
    end: usize,
    /// How many bytes from `start` were already searched for a line break, so that a long
    /// line is searched once, not once per block.
    searched: usize,
    eof: bool,
    pub(crate) count: Arc<AtomicU64>,
}

impl Input {
    /// Bytes read from the source so far (before decompression).
    pub(crate) fn bytes_read(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The next line, without its line break; `None` at the end. `position` (the line's
    /// number) names it in an error.
    pub(crate) fn line(&mut self, position: u64) -> Result<Option<&[u8]>> {
        loop {
            let from = self.start + self.searched;
            if let Some(i) = find_byte(b'\n', &self.buf[from..self.end]) {
                let line = self.start..from + i;
                self.start = from + i + 1;
                self.searched = 0;
                return Ok(Some(trim_cr(&self.buf[line])));
            }
            self.searched = self.end - self.start;
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let line = self.start..self.end;
                self.start = self.end;
                self.searched = 0;
                return Ok(Some(trim_cr(&self.buf[line])));
            }
            self.fill()
                .map_err(|e| read_error(&format!("line {position}: "), &e))?;
        }
    }

    /// The first bytes of the input (one read's worth), to tell its format by.
    pub(crate) fn head(&mut self) -> Result<&[u8]> {
        self.fill_buf().map_err(|e| read_error("", &e))
    }

    /// Reads one more block after the bytes held, moving them to the front first and
    /// growing the buffer when they fill it (a line longer than the block).
    fn fill(&mut self) -> std::io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let grown = (self.buf.len() * 2).max(BLOCK);
            self.buf.resize(grown, 0);
        }
        loop {
            match self.source.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Read for Input {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let held = self.fill_buf()?;
        let n = held.len().min(out.len());
        out[..n].copy_from_slice(&held[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Input {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.start == self.end && !self.eof {
            self.fill()?;
        }
        Ok(&self.buf[self.start..self.end])
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        self.searched = 0;
    }
}

/// `line` without the carriage returns at its end.
fn trim_cr(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r'] = line {
        line = rest;
    }
    line
}

fn read_error(at: &str, e: &std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{at}reading the input: {e}"))
}

/// Opens `source` for reading, decompressing it when it starts with gzip's magic bytes.
pub fn open_input(source: Box<dyn Read + Send>) -> Result<Input> {
    let count = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: source,
        count: count.clone(),
    };
    // Small, so that the block reads below bypass it; it is only here to peek at the magic.
    let mut peek = BufReader::with_capacity(16 * 1024, counting);
    let head = peek.fill_buf().map_err(|e| read_error("", &e))?;
    let source: Box<dyn Read + Send> = if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(
            BufReader::with_capacity(BLOCK, peek),
        ))
    } else {
        Box::new(peek)
    };
    Ok(Input {
        source,
        buf: vec![0; BLOCK],
        start: 0,
        end: 0,
        searched: 0,
        eof: false,
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that hands out at most `step` bytes per read, to cut lines across reads.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len() - self.at);
            out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn lines_of(data: &[u8], step: usize) -> Vec<Vec<u8>> {
        let source = Trickle {
            data: data.to_vec(),
            at: 0,
            step,
        };
        let mut input = open_input(Box::new(source)).expect("test value");
        let mut out = Vec::new();
        let mut n = 0;
        while let Some(line) = input.line(n).expect("test value") {
            out.push(line.to_vec());
            n += 1;
        }
        out
    }

    fn expect(lines: &[&[u8]]) -> Vec<Vec<u8>> {
        lines.iter().map(|l| l.to_vec()).collect()
    }

    #[test]
    fn lines_end_at_newlines_with_or_without_carriage_returns() {
        for step in [1, 3, 7, 4096] {
            assert_eq!(
                lines_of(b"a\tb\r\nc\n\nd\r\r\ne", step),
                expect(&[b"a\tb", b"c", b"", b"d", b"e"]),
                "step {step}"
            );
            assert_eq!(lines_of(b"last\n", step), expect(&[b"last"]));
            assert_eq!(lines_of(b"no break", step), expect(&[b"no break"]));
            assert_eq!(lines_of(b"\r\n", step), expect(&[b""]));
            assert!(lines_of(b"", step).is_empty());
            // A lone carriage return inside a line is kept, as are bytes that are not UTF-8.
            assert_eq!(
                lines_of(b"a\rb\n\xff\xfe\n", step),
                expect(&[b"a\rb", b"\xff\xfe"])
            );
        }
    }

    #[test]
    fn a_line_longer_than_the_block_is_whole() {
        let long = vec![b'x'; BLOCK * 3 + 17];
        let mut data = b"first\n".to_vec();
        data.extend_from_slice(&long);
        data.extend_from_slice(b"\r\nafter\n");
        data.extend_from_slice(&long);
        for step in [BLOCK - 1, 100_000] {
            let lines = lines_of(&data, step);
            assert_eq!(lines.len(), 4);
            assert_eq!(lines[0], b"first");
            assert_eq!(lines[1], long);
            assert_eq!(lines[2], b"after");
            assert_eq!(lines[3], long);
        }
    }

    #[test]
    fn many_lines_across_blocks() {
        let mut data = Vec::new();
        for i in 0..50_000 {
            data.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        let lines = lines_of(&data, BLOCK);
        assert_eq!(lines.len(), 50_000);
        assert_eq!(lines[49_999], b"line 49999");
        assert_eq!(lines[12_345], b"line 12345");
    }

    #[test]
    fn gzip_is_decompressed_and_counted_compressed() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..1000 {
            writeln!(gz, "value {i}").expect("test value");
        }
        let compressed = gz.finish().expect("test value");
        let size = compressed.len() as u64;
        let mut input = open_input(Box::new(std::io::Cursor::new(compressed))).expect("test value");
        let mut n = 0;
        while let Some(line) = input.line(n).expect("test value") {
            assert_eq!(line, format!("value {n}").as_bytes());
            n += 1;
        }
        assert_eq!(n, 1000);
        assert_eq!(input.bytes_read(), size);
    }

    #[test]
    fn read_after_a_peek_sees_every_byte() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut input =
            open_input(Box::new(std::io::Cursor::new(data.clone()))).expect("test value");
        assert_eq!(input.head().expect("test value")[..4], data[..4]);
        let mut all = Vec::new();
        input.read_to_end(&mut all).expect("test value");
        assert_eq!(all, data);
    }

    #[test]
    fn a_failing_source_is_an_io_error_naming_the_line() {
        struct Broken(bool);
        impl Read for Broken {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                if std::mem::replace(&mut self.0, true) {
                    return Err(std::io::Error::other("disk on fire"));
                }
                out[..2].copy_from_slice(b"a\n");
                Ok(2)
            }
        }
        let mut input = open_input(Box::new(Broken(false))).expect("test value");
        assert_eq!(input.line(1).expect("test value"), Some(&b"a"[..]));
        let err = input.line(2).expect_err("an error");
        assert_eq!(err.kind(), ErrorKind::Io);
        assert_eq!(err.message(), "line 2: reading the input: disk on fire");
    }
}
