//! Request bodies: records grouped into one `EMTB` batch frame (`POST /v1/telemetry/batch`,
//! `application/octet-stream`) or one JSON array (`POST /v1/telemetry`, `application/json`), remembering the kind
//! of each record so the daemon's per-item answers can be attributed.

use std::time::Instant;

use bytes::Bytes;
use edgemint_device_sdk::{BatchBuilder, MAX_BATCH_RECORDS};

use crate::cheat::RecordKind;
use crate::error::SimError;
use crate::model::{Emitted, RunContext};

/// How records travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// `EMTB` batch frames (records carry their chain id).
    Binary,
    /// JSON arrays of `SignedTelemetry` (no chain id: the daemon assumes its own).
    Json,
}

impl std::str::FromStr for Wire {
    type Err = SimError;

    fn from_str(s: &str) -> Result<Self, SimError> {
        match s {
            "binary" => Ok(Wire::Binary),
            "json" => Ok(Wire::Json),
            _ => Err(SimError::InvalidArgument(format!(
                "wire {s:?}: expected binary or json"
            ))),
        }
    }
}

impl Wire {
    pub fn path(self) -> &'static str {
        match self {
            Wire::Binary => "/v1/telemetry/batch",
            Wire::Json => "/v1/telemetry",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Wire::Binary => "application/octet-stream",
            Wire::Json => "application/json",
        }
    }
}

/// One request body, shared by every daemon it goes to.
#[derive(Debug, Clone)]
pub struct Frame {
    pub wire: Wire,
    pub body: Bytes,
    /// Kind of record `i` of the body.
    pub kinds: Vec<RecordKind>,
}

/// Accumulates records into a frame of at most `max_records`.
pub struct FrameBuilder {
    wire: Wire,
    max_records: usize,
    binary: BatchBuilder,
    json: Vec<u8>,
    kinds: Vec<RecordKind>,
    opened: Option<Instant>,
}

impl FrameBuilder {
    /// `max_records` is clamped to 1..=10,000 (the frame format's limit; the daemon's default is 1000).
    pub fn new(wire: Wire, max_records: usize) -> Self {
        Self {
            wire,
            max_records: max_records.clamp(1, MAX_BATCH_RECORDS),
            binary: BatchBuilder::new(),
            json: Vec::new(),
            kinds: Vec::new(),
            opened: None,
        }
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.kinds.len() >= self.max_records
    }

    /// When the first record of the pending frame was added.
    pub fn opened(&self) -> Option<Instant> {
        self.opened
    }

    pub fn push(&mut self, e: &Emitted, ctx: &RunContext) -> Result<(), SimError> {
        match self.wire {
            Wire::Binary => self.binary.push(e.chain_id(ctx), &e.signed)?,
            Wire::Json => {
                self.json.push(if self.json.is_empty() { b'[' } else { b',' });
                self.json.extend_from_slice(e.signed.to_json().as_bytes());
            }
        }
        self.kinds.push(e.kind);
        self.opened.get_or_insert_with(Instant::now);
        Ok(())
    }

    /// The pending frame (`None` if empty); the builder starts over.
    pub fn take(&mut self) -> Result<Option<Frame>, SimError> {
        if self.kinds.is_empty() {
            return Ok(None);
        }
        let kinds = std::mem::take(&mut self.kinds);
        self.opened = None;
        let body = match self.wire {
            Wire::Binary => std::mem::take(&mut self.binary).finish()?,
            Wire::Json => {
                let mut body = std::mem::take(&mut self.json);
                body.push(b']');
                body
            }
        };
        Ok(Some(Frame {
            wire: self.wire,
            body: Bytes::from(body),
            kinds,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::{Fleet, FleetSpec};
    use crate::scheduler::Scheduler;
    use crate::timing::EpochTiming;
    use edgemint_device_sdk::{decode_batch, SignedTelemetry};

    fn records() -> (Vec<Emitted>, RunContext) {
        let mut f = Fleet::generate(FleetSpec {
            devices: 12,
            ..FleetSpec::default()
        })
        .unwrap();
        f.assume_sequential_ids(1);
        let ctx = RunContext {
            chain_id: "edgemint-local-1".into(),
            wrong_chain_id: "x-1".into(),
            timing: EpochTiming::from_secs(0, 600).unwrap(),
            interval: 5,
            seed: 1,
            sequence_base: 1,
            cheat_rate: 0.0,
            inflate_factor: 1.0,
            receipts: true,
        };
        let mut s = Scheduler::new(&f, ctx.clone(), 10_000).unwrap();
        let mut out = Vec::new();
        for now in 10_000..10_020 {
            s.poll(now, usize::MAX, &mut out).unwrap();
        }
        (out, ctx)
    }

    #[test]
    fn binary_frames_decode_to_the_same_records() {
        let (recs, ctx) = records();
        assert!(recs.len() > 10);
        let mut b = FrameBuilder::new(Wire::Binary, 10);
        let mut frames = Vec::new();
        for r in &recs {
            b.push(r, &ctx).unwrap();
            if b.is_full() {
                frames.push(b.take().unwrap().unwrap());
            }
        }
        frames.extend(b.take().unwrap());
        assert!(b.take().unwrap().is_none());
        let decoded: Vec<_> = frames.iter().flat_map(|f| decode_batch(&f.body).unwrap()).collect();
        assert_eq!(decoded.len(), recs.len());
        for (d, r) in decoded.iter().zip(&recs) {
            assert_eq!(d.signed, r.signed);
            assert_eq!(d.chain_id, ctx.chain_id);
        }
        assert!(frames
            .iter()
            .all(|f| f.kinds.len() <= 10 && f.kinds.len() == decode_batch(&f.body).unwrap().len()));
    }

    #[test]
    fn json_arrays_parse_item_by_item() {
        let (recs, ctx) = records();
        let mut b = FrameBuilder::new(Wire::Json, 1000);
        for r in &recs {
            b.push(r, &ctx).unwrap();
        }
        let f = b.take().unwrap().unwrap();
        let items: Vec<serde_json::Value> = serde_json::from_slice(&f.body).unwrap();
        assert_eq!(items.len(), recs.len());
        for (item, r) in items.iter().zip(&recs) {
            let bytes = serde_json::to_vec(item).unwrap();
            assert_eq!(SignedTelemetry::from_json(&bytes).unwrap(), r.signed);
        }
    }
}
