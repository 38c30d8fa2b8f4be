//! Opaque page cursors: the last row's sort key, as URL-safe base64 of a JSON array. Clients
//! pass `next_cursor` back unchanged; anything else is refused as a bad `cursor`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Serialize, de::DeserializeOwned};

use super::error::ApiError;

pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("a sort key serialises"))
}

pub fn decode<K: DeserializeOwned>(cursor: &str) -> Result<K, ApiError> {
    let bad = || ApiError::bad_param("cursor", "not a cursor this API handed out");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_junk() {
        let key = (7_i64, 20_454_i64, "build \"x\"".to_owned());
        assert_eq!(decode::<(i64, i64, String)>(&encode(&key)).unwrap(), key);
        assert_eq!(decode::<(i64,)>(&encode(&(42_i64,))).unwrap(), (42,));
        for junk in ["", "!!", "e30", &encode(&("a",))] {
            let e = decode::<(i64,)>(junk).unwrap_err();
            assert_eq!(e.status(), axum::http::StatusCode::BAD_REQUEST, "{junk}");
        }
    }
}
