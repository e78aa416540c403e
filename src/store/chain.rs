//! The audit trail's hash chain, shared by every backend so a log moved between
//! SQLite and a server still verifies: each event's hash covers the one before it.

/// The `prev_hash` of the first event in the chain.
pub const GENESIS: &str = "cutover-log audit chain v1";

/// The fields of one audit event that its hash covers, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRow {
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl ChainRow {
    /// The event `actor` makes now: `before`/`after` serialised to JSON, the time
    /// as an ISO timestamp, exactly as every backend stores them.
    pub fn event<B: serde::Serialize, A: serde::Serialize>(
        actor: &crate::domain::Actor,
        entity: &crate::domain::AuditEntity,
        entity_id: i64,
        action: &crate::domain::AuditAction,
        before: Option<&B>,
        after: Option<&A>,
    ) -> crate::store::StoreResult<Self> {
        let to_json = |e: serde_json::Error| {
            crate::store::StoreError::Corrupt(format!("could not record the change: {e}"))
        };
        Ok(Self {
            at: crate::domain::dates::iso_timestamp(actor.at),
            actor_id: actor.staff.map(|s| s.0),
            actor_name: actor.name.clone(),
            entity: entity.as_str().to_string(),
            entity_id,
            action: action.as_str().to_string(),
            before: before
                .map(serde_json::to_string)
                .transpose()
                .map_err(to_json)?,
            after: after
                .map(serde_json::to_string)
                .transpose()
                .map_err(to_json)?,
        })
    }

    /// SHA-256 over the previous hash and every field, each length-prefixed so no
    /// two different events can produce the same input.
    pub fn hash(&self, prev: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let mut field = |s: Option<&str>| match s {
            Some(v) => {
                h.update((v.len() as u64).to_le_bytes());
                h.update(v.as_bytes());
            }
            None => h.update(u64::MAX.to_le_bytes()),
        };
        field(Some(prev));
        field(Some(&self.at));
        field(self.actor_id.map(|i| i.to_string()).as_deref());
        field(Some(&self.actor_name));
        field(Some(&self.entity));
        field(Some(&self.entity_id.to_string()));
        field(Some(&self.action));
        field(self.before.as_deref());
        field(self.after.as_deref());
        let mut hex = String::with_capacity(64);
        for b in h.finalize() {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        hex
    }
}

/// The digits of a hash written in hex, lower case (as `{:02x}` writes them:
/// every stored hash is in this form).
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Walks the stored events in id order and finds the first broken link; the same
/// rules for every backend. Feed each event to [`ChainCheck::next`], then read
/// [`ChainCheck::finish`].
#[derive(Debug, Default)]
pub struct ChainCheck {
    prev: Option<String>,
    legacy: u64,
    /// The first event read without a hash.
    first_legacy: Option<i64>,
    broken: Option<(i64, String)>,
    unreadable_json: u64,
}

impl ChainCheck {
    /// Checks one event (`prev_hash` and `hash` as stored). Returns false once the
    /// chain is broken (later events need not be read).
    pub fn next(
        &mut self,
        id: i64,
        row: &ChainRow,
        stored_prev: Option<String>,
        stored_hash: Option<String>,
    ) -> bool {
        let valid = |j: &Option<String>| {
            j.as_deref()
                .is_none_or(|s| serde_json::from_str::<serde_json::Value>(s).is_ok())
        };
        if !valid(&row.before) || !valid(&row.after) {
            self.unreadable_json += 1;
        }
        if self.broken.is_some() {
            return false;
        }
        let (Some(stored_prev), Some(stored_hash)) = (stored_prev, stored_hash) else {
            if self.prev.is_some() {
                self.broken = Some((id, "an event after the chain began has no hash".into()));
                return false;
            }
            self.legacy += 1;
            self.first_legacy.get_or_insert(id);
            return true;
        };
        let expected_prev = self.prev.as_deref().unwrap_or(GENESIS);
        if stored_prev != expected_prev {
            let why = "it does not follow the event before it (an event was removed or reordered)";
            self.broken = Some((id, why.into()));
            return false;
        }
        if row.hash(&stored_prev) != stored_hash {
            self.broken = Some((id, "its contents were changed after it was written".into()));
            return false;
        }
        self.prev = Some(stored_hash);
        true
    }

    /// Events before the chain began, and where the chain first breaks (event id, why).
    /// A trail with events and not one hash is broken: every version that writes
    /// the trail hashes it, so a log whose hashes are all NULL had them removed
    /// (pure SQL, no hashing needed — issue 31), not a log from before the chain.
    pub fn finish(self) -> (u64, Option<(i64, String)>) {
        let broken = match (self.broken, self.prev.as_ref(), self.first_legacy) {
            (Some(b), _, _) => Some(b),
            (None, None, Some(first)) => Some((
                first,
                format!(
                    "no event has its hash ({} events): the hash chain was removed",
                    self.legacy
                ),
            )),
            (None, _, _) => None,
        };
        (self.legacy, broken)
    }

    /// Events read so far whose before/after is not valid JSON.
    pub fn unreadable_json(&self) -> u64 {
        self.unreadable_json
    }

    /// The last good hash read (the chain's head when nothing is broken).
    pub fn head(&self) -> Option<&str> {
        self.prev.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::ChainRow;

    /// The hex digits are the ones `{:02x}` writes: every hash already stored
    /// in a log must still match.
    #[test]
    fn a_hash_is_written_as_lower_case_hex_of_the_digest() {
        use sha2::{Digest, Sha256};
        let row = ChainRow {
            at: "2026-12-08T10:00:00".into(),
            actor_id: Some(3),
            actor_name: "Sam Reception".into(),
            entity: "item".into(),
            entity_id: 42,
            action: "item.logged".into(),
            before: None,
            after: Some("{\"a\":1}".into()),
        };
        let mut h = Sha256::new();
        let mut field = |s: Option<&str>| match s {
            Some(v) => {
                h.update((v.len() as u64).to_le_bytes());
                h.update(v.as_bytes());
            }
            None => h.update(u64::MAX.to_le_bytes()),
        };
        for f in [
            Some("prev"),
            Some("2026-12-08T10:00:00"),
            Some("3"),
            Some("Sam Reception"),
            Some("item"),
            Some("42"),
            Some("item.logged"),
            None,
            Some("{\"a\":1}"),
        ] {
            field(f);
        }
        let expected: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(row.hash("prev"), expected);
        assert_eq!(expected.len(), 64);
    }
}
