//! The keys a table of the config may hold, read off the settings types themselves.
//!
//! A probe deserializer walks a key path (`hall.hours`, `windows[2]`) into [`crate::schema::Settings`]:
//! at each table it offers the derived visitor just the next key of the path, at each
//! array just one element, and where the path ends it records the field names serde's
//! derive passes to `deserialize_struct` — then stops. Nothing is listed by hand, so the
//! answer follows the types. Used for "did you mean" on unknown keys.

use crate::locate::Seg;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::fmt;

/// The keys the table at `path` takes (`None` when the path does not lead to a table of
/// fixed keys).
#[cfg(test)]
pub(crate) fn known_keys(path: &[Seg]) -> Option<&'static [&'static str]> {
    known_keys_in::<crate::schema::Settings>(path)
}

/// [`known_keys`] of another file's type `T` (the city file's).
pub(crate) fn known_keys_in<T: serde::de::DeserializeOwned>(
    path: &[Seg],
) -> Option<&'static [&'static str]> {
    let mut found = None;
    // The probe always ends in its own error: once it has found the keys, or when the path
    // leads elsewhere.
    let _ = T::deserialize(Probe {
        path,
        found: &mut found,
    });
    found
}

/// The probe's only error: the walk is over.
#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("probe stopped")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self
    }
}

struct Probe<'p, 'f> {
    path: &'p [Seg],
    found: &'f mut Option<&'static [&'static str]>,
}

impl<'de> de::Deserializer<'de> for Probe<'_, '_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Stop> {
        if self.path.is_empty() {
            *self.found = Some(fields);
            return Err(Stop);
        }
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.path.split_first() {
            Some((Seg::Key(key), rest)) => visitor.visit_map(OneKey {
                key: Some(key),
                rest,
                found: self.found,
            }),
            _ => Err(Stop),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.path.split_first() {
            Some((Seg::Index(_), rest)) => visitor.visit_seq(OneElement {
                rest: Some(rest),
                found: self.found,
            }),
            _ => Err(Stop),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Stop> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct tuple tuple_struct enum identifier ignored_any
    }
}

/// A table holding only the next key of the path.
struct OneKey<'p, 'f> {
    key: Option<&'p str>,
    rest: &'p [Seg],
    found: &'f mut Option<&'static [&'static str]>,
}

impl<'de> de::MapAccess<'de> for OneKey<'_, '_> {
    type Error = Stop;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Stop> {
        match self.key.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => Err(Stop),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Stop> {
        seed.deserialize(Probe {
            path: self.rest,
            found: self.found,
        })
    }
}

/// An array holding only the element the path goes on into.
struct OneElement<'p, 'f> {
    rest: Option<&'p [Seg]>,
    found: &'f mut Option<&'static [&'static str]>,
}

impl<'de> de::SeqAccess<'de> for OneElement<'_, '_> {
    type Error = Stop;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Stop> {
        let Some(rest) = self.rest.take() else {
            return Err(Stop);
        };
        seed.deserialize(Probe {
            path: rest,
            found: self.found,
        })
        .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Seg {
        Seg::Key(s.into())
    }

    #[test]
    fn finds_the_fields_of_nested_tables() {
        let hours = known_keys(&[key("hall"), key("hours")]).unwrap();
        for k in ["open", "close", "days"] {
            assert!(hours.contains(&k), "{hours:?}");
        }
        let root = known_keys(&[]).unwrap();
        assert!(
            root.contains(&"hall") && root.contains(&"windows"),
            "{root:?}"
        );
        // Through an array of tables and an optional table.
        let booking = [
            key("sections"),
            Seg::Index(3),
            key("services"),
            Seg::Index(0),
            key("booking"),
        ];
        assert!(known_keys(&booking).unwrap().contains(&"slot_minutes"));
        assert!(known_keys(&[key("windows"), Seg::Index(1)])
            .unwrap()
            .contains(&"services"));
    }

    #[test]
    fn no_fields_where_the_path_leads_to_a_value() {
        assert_eq!(known_keys(&[key("hall"), key("name")]), None);
        assert_eq!(known_keys(&[key("windows"), key("x")]), None);
        assert_eq!(known_keys(&[key("nothing")]), None);
    }
}
