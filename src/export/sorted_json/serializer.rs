//! The serde side of [`super::Writer`]: every value as toml's value model
//! has it, written as JSON.

use serde::ser::{self, Serialize};
use serde_json::ser::{CompactFormatter, Formatter};

use super::{Array, JsonError, Object, Writer};
use crate::export::non_finite_name;

/// An enum variant with data, `{"variant": <inner>}`: an object of one
/// entry, so nothing to sort. A `None` inside is not caught here: toml drops
/// the entry that holds the variant.
pub(super) struct Variant<Inner> {
    inner: Inner,
}

impl Writer {
    /// Write `{"variant": ` (the outer object of a variant with data).
    fn open_variant(&mut self, variant: &str) {
        self.bytes.push(b'{');
        self.depth += 1;
        self.line_break();
        self.string(variant);
        self.bytes.extend_from_slice(b": ");
    }

    /// Close the outer object written by [`Writer::open_variant`].
    fn close_variant(&mut self) {
        self.depth -= 1;
        self.line_break();
        self.bytes.push(b'}');
    }
}

impl ser::SerializeTupleVariant for Variant<Array<'_>> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        self.inner.element(value)
    }

    fn end(self) -> Result<(), JsonError> {
        self.inner.close().close_variant();
        Ok(())
    }
}

impl ser::SerializeStructVariant for Variant<Object<'_>> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }

    fn end(self) -> Result<(), JsonError> {
        self.inner.close().close_variant();
        Ok(())
    }
}

fn unsupported(what: &str) -> JsonError {
    JsonError::Custom(format!("unsupported {what} type"))
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = JsonError;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = Variant<Array<'a>>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Variant<Object<'a>>;

    fn serialize_bool(self, v: bool) -> Result<(), JsonError> {
        self.bytes
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), JsonError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), JsonError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), JsonError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), JsonError> {
        let _ = CompactFormatter.write_i64(&mut self.bytes, v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), JsonError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), JsonError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), JsonError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), JsonError> {
        let v =
            i64::try_from(v).map_err(|_| JsonError::Custom("u64 value was too large".into()))?;
        self.serialize_i64(v)
    }

    fn serialize_f32(self, v: f32) -> Result<(), JsonError> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), JsonError> {
        match non_finite_name(v) {
            Some(name) => self.string(name),
            None => {
                let _ = CompactFormatter.write_f64(&mut self.bytes, v);
            }
        }
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), JsonError> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), JsonError> {
        self.string(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), JsonError> {
        let mut array = self.open_array();
        v.iter().try_for_each(|b| array.element(b))?;
        array.close();
        Ok(())
    }

    fn serialize_none(self) -> Result<(), JsonError> {
        Err(JsonError::None)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), JsonError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), JsonError> {
        Err(unsupported("unit"))
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<(), JsonError> {
        Err(unsupported(name))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), JsonError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        self.open_variant(variant);
        value.serialize(&mut *self)?;
        self.close_variant();
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Array<'a>, JsonError> {
        Ok(self.open_array())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Array<'a>, JsonError> {
        Ok(self.open_array())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Array<'a>, JsonError> {
        Ok(self.open_array())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Variant<Array<'a>>, JsonError> {
        self.open_variant(variant);
        Ok(Variant {
            inner: self.open_array(),
        })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a>, JsonError> {
        Ok(self.open_object())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Object<'a>, JsonError> {
        Ok(self.open_object())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Variant<Object<'a>>, JsonError> {
        self.open_variant(variant);
        Ok(Variant {
            inner: self.open_object(),
        })
    }
}
