//! `results.json` written straight from serde: pretty-printed JSON whose
//! objects list their keys in sorted order, with the non-finite floats
//! spelled as their names ("NaN", "Infinity", "-Infinity").
//!
//! It used to be printed from a `toml::Value` copy of the results (toml's
//! value model keeps non-finite floats and sorts table keys): about 800,000
//! values built, printed and dropped, then a 2.3 MB string copied into the
//! file. Here the text is written once, into one buffer, in the order serde
//! hands the values over; an object's keys are put in order afterwards by
//! reordering a short list of byte ranges of that buffer ([`ResultsJson`]),
//! never the bytes, and the ranges go to the file as they are.
//!
//! The rules are toml's `Value::try_from`'s, so the bytes are the same: a
//! `None` leaves its object's entry out (a `None` deeper inside an array of
//! that entry too), integers are `i64` (a larger `u64` is an error), `f32`
//! is widened to `f64`, keys must be strings, a key given twice keeps its
//! last value, an enum variant with data is an object with one key.

use std::fmt::Display;
use std::io::{self, Write};
use std::ops::Range;

use serde::ser::{self, Serialize};

mod key;
mod serializer;
#[cfg(test)]
mod tests;

use key::KeyWriter;

/// Top-level entries picked by [`ResultsJson::with_picked`]: key, value's JSON text.
pub type Picked = Vec<(String, Vec<u8>)>;

/// The top-level object's entries: key and ranges (indices into `spans`).
type TopLevel = Vec<(String, Range<usize>)>;

/// A pretty-printed JSON text as byte ranges of one buffer, in order.
#[derive(Debug, Clone, Default)]
pub struct ResultsJson {
    bytes: Vec<u8>,
    spans: Vec<Range<usize>>,
}

impl ResultsJson {
    /// The JSON text of `value` (see the module documentation), ending in a newline.
    pub fn of(value: &impl Serialize) -> Result<ResultsJson, JsonError> {
        Self::with_top_level(value).map(|(json, _)| json)
    }

    /// [`ResultsJson::of`], with the top-level object's entries (key, JSON
    /// text of the value) whose keys are in `picked`.
    pub fn with_picked(
        value: &impl Serialize,
        picked: &[&str],
    ) -> Result<(ResultsJson, Picked), JsonError> {
        let (json, top) = Self::with_top_level(value)?;
        let entries = top
            .into_iter()
            .filter(|(key, _)| picked.contains(&key.as_str()))
            .map(|(key, spans)| {
                let text: Vec<u8> = spans.flat_map(|i| json.span(i)).copied().collect();
                // The entry's text is `,\n  "key": value` (its comma dropped
                // if it came first): keep the value only.
                let quoted = serde_json::to_vec(&key).unwrap_or_default();
                let at = text.windows(quoted.len()).position(|w| w == quoted);
                let value = at.map_or(&[][..], |at| &text[at + quoted.len() + 2..]);
                (key, value.to_vec())
            })
            .collect();
        Ok((json, entries))
    }

    fn with_top_level(value: &impl Serialize) -> Result<(ResultsJson, TopLevel), JsonError> {
        let mut writer = Writer::default();
        match value.serialize(&mut writer) {
            Ok(()) => {}
            Err(JsonError::None) => return Err(JsonError::Custom("a value is None".into())),
            Err(err) => return Err(err),
        }
        writer.bytes.push(b'\n');
        writer.cut();
        let json = ResultsJson {
            bytes: writer.bytes,
            spans: writer.spans,
        };
        Ok((json, writer.top_level))
    }

    fn span(&self, index: usize) -> &[u8] {
        &self.bytes[self.spans[index].clone()]
    }

    /// Write the text to `out` (a file through a `BufWriter`: the ranges are
    /// short between objects and long inside arrays).
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        (0..self.spans.len()).try_for_each(|i| out.write_all(self.span(i)))
    }

    /// The whole text in one string (tests and callers that keep it).
    pub fn text(&self) -> String {
        let bytes: Vec<u8> = (0..self.spans.len())
            .flat_map(|i| self.span(i))
            .copied()
            .collect();
        // Only UTF-8 strings and ASCII are ever written, and ranges are cut
        // between values, never inside a character.
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    }

    /// The text's length in bytes.
    pub fn len(&self) -> usize {
        self.spans.iter().map(|s| s.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Equal when the texts are equal, however they are cut into ranges.
impl PartialEq for ResultsJson {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

/// A text taken as it is (one range).
impl From<&str> for ResultsJson {
    fn from(text: &str) -> Self {
        ResultsJson {
            bytes: text.as_bytes().to_vec(),
            spans: std::iter::once(0..text.len()).collect(),
        }
    }
}

/// Why a value cannot be written as toml's value model would have it.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// A `None`: leaves the nearest object's entry out (never escapes
    /// [`ResultsJson::of`]).
    #[error("a value is None")]
    None,
    #[error("{0}")]
    Custom(String),
}

impl ser::Error for JsonError {
    fn custom<T: Display>(msg: T) -> Self {
        JsonError::Custom(msg.to_string())
    }
}

/// One entry of an object being written: its key in `Writer::keys` and its
/// ranges in `Writer::spans`.
struct Entry {
    key: Range<usize>,
    spans: Range<usize>,
}

#[derive(Default)]
struct Writer {
    bytes: Vec<u8>,
    /// The finished ranges of `bytes`, in the text's order.
    spans: Vec<Range<usize>>,
    /// Where the range being written starts.
    open: usize,
    depth: usize,
    /// The entries of every object being written, innermost last.
    entries: Vec<Entry>,
    /// Their keys, unescaped, one after the other.
    keys: String,
    /// The top-level object's entries in order: key and ranges.
    top_level: TopLevel,
    scratch: Vec<Range<usize>>,
}

/// Nesting depth up to which a line break and its indent are one write.
const FLAT_DEPTH: usize = 32;

/// A newline followed by the indent of [`FLAT_DEPTH`] levels (two spaces each).
const LINE_BREAK: [u8; 1 + 2 * FLAT_DEPTH] = {
    let mut bytes = [b' '; 1 + 2 * FLAT_DEPTH];
    bytes[0] = b'\n';
    bytes
};

impl Writer {
    /// End the range being written (if it holds anything).
    fn cut(&mut self) {
        if self.bytes.len() > self.open {
            self.spans.push(self.open..self.bytes.len());
            self.open = self.bytes.len();
        }
    }

    /// A newline and the indent of the current depth (serde_json's pretty layout).
    fn line_break(&mut self) {
        let length = 1 + 2 * self.depth;
        match LINE_BREAK.get(..length) {
            // The whole constant (a copy of fixed size, no call), then cut to length.
            Some(_) => {
                let end = self.bytes.len() + length;
                self.bytes.extend_from_slice(&LINE_BREAK);
                self.bytes.truncate(end);
            }
            None => {
                self.bytes.push(b'\n');
                (0..self.depth).for_each(|_| self.bytes.extend_from_slice(b"  "));
            }
        }
    }

    fn string(&mut self, text: &str) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.bytes, text);
    }

    fn open_object(&mut self) -> Object<'_> {
        self.bytes.push(b'{');
        self.depth += 1;
        Object {
            base: self.entries.len(),
            keys_base: self.keys.len(),
            key: None,
            writer: self,
        }
    }

    fn open_array(&mut self) -> Array<'_> {
        self.bytes.push(b'[');
        self.depth += 1;
        Array {
            writer: self,
            count: 0,
        }
    }
}

/// An array being written: elements in the order given.
struct Array<'a> {
    writer: &'a mut Writer,
    count: usize,
}

impl<'a> Array<'a> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        if self.count > 0 {
            self.writer.bytes.push(b',');
        }
        self.count += 1;
        self.writer.line_break();
        value.serialize(&mut *self.writer)
    }

    fn close(self) -> &'a mut Writer {
        let writer = self.writer;
        writer.depth -= 1;
        if self.count > 0 {
            writer.line_break();
        }
        writer.bytes.push(b']');
        writer
    }
}

/// An object being written: its entries in the order given, sorted by key
/// when it closes.
struct Object<'a> {
    writer: &'a mut Writer,
    /// Where this object's entries start in `Writer::entries`.
    base: usize,
    keys_base: usize,
    /// The key given by `serialize_key`, waiting for its value.
    key: Option<Range<usize>>,
}

impl<'a> Object<'a> {
    fn push_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<Range<usize>, JsonError> {
        let start = self.writer.keys.len();
        key.serialize(KeyWriter(&mut self.writer.keys))?;
        Ok(start..self.writer.keys.len())
    }

    /// Write one entry; a `None` inside `value` leaves it out (as toml does).
    fn entry<V: Serialize + ?Sized>(
        &mut self,
        key: Range<usize>,
        value: &V,
    ) -> Result<(), JsonError> {
        let writer = &mut *self.writer;
        writer.cut();
        let (first_span, start, depth) = (writer.spans.len(), writer.bytes.len(), writer.depth);
        let (entries, keys) = (writer.entries.len(), writer.keys.len());
        // Every entry starts with its comma: the first in key order loses it.
        writer.bytes.push(b',');
        writer.line_break();
        let Writer {
            bytes,
            keys: all_keys,
            ..
        } = writer;
        let _ = serde_json::to_writer(&mut *bytes, &all_keys[key.clone()]);
        bytes.extend_from_slice(b": ");
        match value.serialize(&mut *writer) {
            Ok(()) => {
                writer.cut();
                let spans = first_span..writer.spans.len();
                writer.entries.push(Entry { key, spans });
                Ok(())
            }
            Err(JsonError::None) => {
                writer.bytes.truncate(start);
                writer.spans.truncate(first_span);
                writer.open = start;
                writer.depth = depth;
                writer.entries.truncate(entries);
                writer.keys.truncate(keys);
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    fn close(self) -> &'a mut Writer {
        let writer = self.writer;
        writer.cut();
        writer.depth -= 1;
        let base = self.base;
        if writer.entries.len() > base {
            let Writer {
                entries,
                keys,
                spans,
                scratch,
                ..
            } = &mut *writer;
            let region = entries[base].spans.start;
            let mine = &mut entries[base..];
            let key = |e: &Entry| &keys[e.key.clone()];
            let in_order = mine.windows(2).all(|p| key(&p[0]) < key(&p[1]));
            if !in_order {
                // Stable: of a key given twice, the last stays last; keep it.
                mine.sort_by(|a, b| key(a).cmp(key(b)));
                scratch.clear();
                let mut kept = Vec::with_capacity(mine.len());
                for (i, e) in mine.iter().enumerate() {
                    if mine.get(i + 1).is_some_and(|next| key(next) == key(e)) {
                        continue;
                    }
                    let start = region + scratch.len();
                    scratch.extend(spans[e.spans.clone()].iter().cloned());
                    kept.push(Entry {
                        key: e.key.clone(),
                        spans: start..region + scratch.len(),
                    });
                }
                spans.truncate(region);
                spans.append(scratch);
                entries.truncate(base);
                entries.append(&mut kept);
            }
            // The first entry's comma.
            spans[region].start += 1;
            if writer.depth == 0 {
                writer.top_level = writer.entries[base..]
                    .iter()
                    .map(|e| (writer.keys[e.key.clone()].to_string(), e.spans.clone()))
                    .collect();
            }
            writer.line_break();
        }
        writer.bytes.push(b'}');
        writer.entries.truncate(base);
        writer.keys.truncate(self.keys_base);
        writer
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), JsonError> {
        self.key = Some(self.push_key(key)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| JsonError::Custom("a map value without its key".into()))?;
        self.entry(key, value)
    }

    fn end(self) -> Result<(), JsonError> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        let key = self.push_key(key)?;
        self.entry(key, value)
    }

    fn end(self) -> Result<(), JsonError> {
        self.close();
        Ok(())
    }
}

macro_rules! array_impl {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Array<'_> {
            type Ok = ();
            type Error = JsonError;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
                self.element(value)
            }

            fn end(self) -> Result<(), JsonError> {
                self.close();
                Ok(())
            }
        }
    };
}

array_impl!(SerializeSeq, serialize_element);
array_impl!(SerializeTuple, serialize_element);
array_impl!(SerializeTupleStruct, serialize_field);
