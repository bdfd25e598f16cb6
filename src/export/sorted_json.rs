//! `results.json` printed straight from the results, without a value tree.
//!
//! The file's layout is fixed by how it was first made: the results turned
//! into toml's value tree (whose tables sort their keys, leave out `None`
//! fields and keep non-finite floats), then printed by serde_json's pretty
//! printer with non-finite floats as the strings "NaN", "Infinity" and
//! "-Infinity". This serializer writes the same bytes in one pass: values
//! are printed as they arrive and only the entries of each object are held
//! back, each as its own printed text, until the object ends and they can be
//! written in key order.
//!
//! Why: building toml's tree of the article's results (tens of thousands of
//! points), printing it and dropping it cost several times the printing
//! alone. Printed entries are moved, not copied, into their parent (a
//! [`Rope`] of buffers), so each byte is copied once, into the final text.
//!
//! The rules are toml's (`toml::Value::try_from`): `None` (a field, a map
//! value) leaves its entry out and is an error anywhere else; unit and unit
//! structs are errors; a unit variant is its name; a newtype variant is a
//! one-entry object `{variant: value}`, tuple and struct variants likewise;
//! `f32` is printed as the `f64` it converts to; a `u64` above `i64::MAX` is
//! an error; keys are strings (or chars, or unit variants). A test compares
//! the bytes with toml's tree printed for every scenario in `configs/`.

use std::io::Write;

use serde::ser::{self, Serialize};
use serde_json::ser::Formatter;

use super::json::{non_finite_name, Pretty};

/// Why a value could not be printed.
#[derive(Debug)]
pub(super) enum Error {
    /// `None`: the entry holding it is left out (an error elsewhere).
    None,
    /// Anything else toml's tree refuses.
    Other(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::None => f.write_str("unsupported None value"),
            Error::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        Error::Other(message.to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Other(e.to_string())
    }
}

/// Printed text in pieces: buffers moved in whole from printed entries,
/// then the buffer being written.
#[derive(Default)]
struct Rope {
    done: Vec<Vec<u8>>,
    current: Vec<u8>,
}

impl Rope {
    /// `other` appended without copying its bytes.
    fn append(&mut self, other: Rope) {
        if !self.current.is_empty() {
            self.done.push(std::mem::take(&mut self.current));
        }
        self.done.extend(other.done);
        if !other.current.is_empty() {
            self.done.push(other.current);
        }
    }

    fn into_bytes(self) -> Vec<u8> {
        let total = self.done.iter().map(Vec::len).sum::<usize>() + self.current.len();
        let mut bytes = Vec::with_capacity(total);
        for piece in self.done {
            bytes.extend_from_slice(&piece);
        }
        bytes.extend_from_slice(&self.current);
        bytes
    }
}

/// `value` as `results.json` prints it: serde_json's pretty layout of the
/// toml value tree of `value` (see the module's documentation). With it,
/// `capture(key, tree)` is given toml's tree of each top-level entry (not
/// left out) whose key is in `keys`.
pub(super) fn print<T: Serialize + ?Sized>(
    value: &T,
    keys: &[&str],
    capture: &mut dyn FnMut(&str, toml::Value),
) -> Result<Vec<u8>, Error> {
    let mut rope = Rope::default();
    value.serialize(Printer {
        rope: &mut rope,
        depth: 0,
        capture: Some(Capture {
            keys,
            call: capture,
        }),
    })?;
    Ok(rope.into_bytes())
}

/// The top-level entries wanted beside the text.
struct Capture<'k, 'c> {
    keys: &'k [&'k str],
    call: &'c mut dyn FnMut(&str, toml::Value),
}

/// Prints one value into `rope`, `depth` levels deep.
struct Printer<'r, 'k, 'c> {
    rope: &'r mut Rope,
    depth: usize,
    capture: Option<Capture<'k, 'c>>,
}

impl<'r, 'k, 'c> Printer<'r, 'k, 'c> {
    fn out(&mut self) -> &mut Vec<u8> {
        &mut self.rope.current
    }

    fn string(&mut self, s: &str) -> Result<(), Error> {
        serde_json::to_writer(self.out(), s).map_err(|e| Error::Other(e.to_string()))
    }

    fn object(self) -> Object<'r, 'k, 'c> {
        Object {
            rope: self.rope,
            depth: self.depth,
            entries: Vec::new(),
            next_key: None,
            capture: self.capture,
            wrapped_in: None,
        }
    }

    fn array(self) -> Result<Array<'r>, Error> {
        let mut formatter = Pretty::at(self.depth);
        formatter.begin_array(&mut self.rope.current)?;
        Ok(Array {
            rope: self.rope,
            formatter,
            first: true,
            wrapped_in: None,
        })
    }

    /// Opens `{"variant": ` for a variant's one-entry object and returns the
    /// formatter that closes it, and the depth of the value inside.
    fn open_variant(&mut self, variant: &str) -> Result<(Pretty, usize), Error> {
        let mut formatter = Pretty::at(self.depth);
        formatter.begin_object(self.out())?;
        formatter.begin_object_key(self.out(), true)?;
        self.string(variant)?;
        formatter.begin_object_value(self.out())?;
        Ok((formatter, self.depth + 1))
    }
}

/// Closes a variant's one-entry object.
fn close_variant(rope: &mut Rope, mut formatter: Pretty) -> Result<(), Error> {
    formatter.end_object_value(&mut rope.current)?;
    formatter.end_object(&mut rope.current)?;
    Ok(())
}

impl<'r, 'k, 'c> ser::Serializer for Printer<'r, 'k, 'c> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Array<'r>;
    type SerializeTuple = Array<'r>;
    type SerializeTupleStruct = Array<'r>;
    type SerializeTupleVariant = Array<'r>;
    type SerializeMap = Object<'r, 'k, 'c>;
    type SerializeStruct = Object<'r, 'k, 'c>;
    type SerializeStructVariant = Object<'r, 'k, 'c>;

    fn serialize_bool(mut self, v: bool) -> Result<(), Error> {
        self.out().write_all(if v { b"true" } else { b"false" })?;
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(mut self, v: i64) -> Result<(), Error> {
        Pretty::at(0).write_i64(self.out(), v)?;
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        let v = i64::try_from(v).map_err(|_| Error::Other("u64 value was too large".into()))?;
        self.serialize_i64(v)
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(mut self, v: f64) -> Result<(), Error> {
        match non_finite_name(v) {
            Some(name) => self.string(name),
            None => {
                Pretty::at(0).write_f64(self.out(), v)?;
                Ok(())
            }
        }
    }

    fn serialize_char(mut self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(mut self, v: &str) -> Result<(), Error> {
        self.string(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut array = self.array()?;
        for byte in v {
            array.serialize_element(byte)?;
        }
        array.end()
    }

    fn serialize_none(self) -> Result<(), Error> {
        Err(Error::None)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Err(Error::Other("unsupported unit type".into()))
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        Err(Error::Other(format!("unsupported {name} type")))
    }

    fn serialize_unit_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let (formatter, depth) = self.open_variant(variant)?;
        value.serialize(Printer {
            rope: &mut *self.rope,
            depth,
            capture: None,
        })?;
        close_variant(self.rope, formatter)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Array<'r>, Error> {
        self.array()
    }

    fn serialize_tuple(self, _len: usize) -> Result<Array<'r>, Error> {
        self.array()
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Array<'r>, Error> {
        self.array()
    }

    fn serialize_tuple_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Array<'r>, Error> {
        let (outer, depth) = self.open_variant(variant)?;
        let mut array = Printer {
            rope: self.rope,
            depth,
            capture: None,
        }
        .array()?;
        array.wrapped_in = Some(outer);
        Ok(array)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'r, 'k, 'c>, Error> {
        Ok(self.object())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Object<'r, 'k, 'c>, Error> {
        Ok(self.object())
    }

    fn serialize_struct_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Object<'r, 'k, 'c>, Error> {
        let (outer, depth) = self.open_variant(variant)?;
        let mut object = Printer {
            rope: self.rope,
            depth,
            capture: None,
        }
        .object();
        object.wrapped_in = Some(outer);
        Ok(object)
    }
}

/// An array being printed: elements go straight into the rope.
pub(super) struct Array<'r> {
    rope: &'r mut Rope,
    formatter: Pretty,
    first: bool,
    /// The variant object around a tuple variant, closed after the array.
    wrapped_in: Option<Pretty>,
}

impl Array<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.formatter
            .begin_array_value(&mut self.rope.current, self.first)?;
        self.first = false;
        value.serialize(Printer {
            rope: &mut *self.rope,
            depth: self.formatter.depth(),
            capture: None,
        })?;
        self.formatter.end_array_value(&mut self.rope.current)?;
        Ok(())
    }

    fn finish(mut self) -> Result<(), Error> {
        self.formatter.end_array(&mut self.rope.current)?;
        match self.wrapped_in.take() {
            Some(outer) => close_variant(self.rope, outer),
            None => Ok(()),
        }
    }
}

/// serde's four kinds of sequence, all printed as one array.
macro_rules! array_impl {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Array<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

array_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// An object being printed: each entry's value printed on its own, written
/// in key order when the object ends.
pub(super) struct Object<'r, 'k, 'c> {
    rope: &'r mut Rope,
    /// The depth of the object itself (its entries are one deeper).
    depth: usize,
    entries: Vec<(String, Rope)>,
    next_key: Option<String>,
    capture: Option<Capture<'k, 'c>>,
    /// The variant object around a struct variant, closed after this one.
    wrapped_in: Option<Pretty>,
}

impl Object<'_, '_, '_> {
    fn entry<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), Error> {
        let mut printed = Rope::default();
        let result = value.serialize(Printer {
            rope: &mut printed,
            depth: self.depth + 1,
            capture: None,
        });
        match result {
            Ok(()) => {}
            Err(Error::None) => return Ok(()),
            Err(e) => return Err(e),
        }
        if let Some(capture) = self.capture.as_mut() {
            if capture.keys.contains(&key.as_str()) {
                let tree = toml::Value::try_from(value).map_err(|e| Error::Other(e.to_string()))?;
                (capture.call)(&key, tree);
            }
        }
        self.entries.push((key, printed));
        Ok(())
    }

    fn finish(self) -> Result<(), Error> {
        let Object {
            rope,
            depth,
            mut entries,
            wrapped_in,
            ..
        } = self;
        // As a sorted map: keys in byte order, a repeated key's last value.
        entries.reverse();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, kept| later.0 == kept.0);
        let mut formatter = Pretty::at(depth);
        formatter.begin_object(&mut rope.current)?;
        for (n, (key, printed)) in entries.into_iter().enumerate() {
            formatter.begin_object_key(&mut rope.current, n == 0)?;
            serde_json::to_writer(&mut rope.current, &key)
                .map_err(|e| Error::Other(e.to_string()))?;
            formatter.begin_object_value(&mut rope.current)?;
            rope.append(printed);
            formatter.end_object_value(&mut rope.current)?;
        }
        formatter.end_object(&mut rope.current)?;
        match wrapped_in {
            Some(outer) => close_variant(rope, outer),
            None => Ok(()),
        }
    }
}

impl ser::SerializeMap for Object<'_, '_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.next_key = Some(key.serialize(KeyName)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .next_key
            .take()
            .ok_or_else(|| Error::Other("a map value without its key".into()))?;
        self.entry(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// serde's two kinds of struct, both printed as one object.
macro_rules! struct_impl {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Object<'_, '_, '_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.entry(key.to_string(), value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

struct_impl!(SerializeStruct, SerializeStructVariant);

/// Methods of [`KeyName`] refusing a scalar key.
macro_rules! refuse_scalars {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, _v: $ty) -> Result<String, Error> {
            Err(not_a_string())
        }
    )*};
}

/// A map key as toml takes it: a string (a char, a unit variant's name, a
/// newtype around one); anything else is an error.
struct KeyName;

fn not_a_string() -> Error {
    Error::Other("map key was not a string".into())
}

impl ser::Serializer for KeyName {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = ser::Impossible<String, Error>;
    type SerializeTuple = ser::Impossible<String, Error>;
    type SerializeTupleStruct = ser::Impossible<String, Error>;
    type SerializeTupleVariant = ser::Impossible<String, Error>;
    type SerializeMap = ser::Impossible<String, Error>;
    type SerializeStruct = ser::Impossible<String, Error>;
    type SerializeStructVariant = ser::Impossible<String, Error>;

    fn serialize_str(self, v: &str) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_char(self, v: char) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String, Error> {
        value.serialize(self)
    }
    refuse_scalars!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_f32: f32,
        serialize_f64: f64,
        serialize_bytes: &[u8]
    );
    fn serialize_none(self) -> Result<String, Error> {
        Err(Error::None)
    }
    fn serialize_unit(self) -> Result<String, Error> {
        Err(not_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, Error> {
        Err(not_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, Error> {
        Err(not_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(not_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(not_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(not_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(not_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(not_a_string())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(not_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(not_a_string())
    }
}
