//! A controller's parameters: queue sizes, write watermarks, page and
//! refresh policy.

use crate::memory::banked::refresh::RefreshPolicy;
use serde::{Deserialize, Serialize};

/// Row-buffer policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PagePolicy {
    /// Rows stay open until a conflicting request or a refresh closes them.
    #[default]
    Open,
    /// An access with no other queued request to its row auto-precharges.
    Closed,
}

impl PagePolicy {
    /// Parses a policy name.
    pub fn parse(s: &str) -> Option<PagePolicy> {
        match s {
            "open" => Some(PagePolicy::Open),
            "closed" => Some(PagePolicy::Closed),
            _ => None,
        }
    }

    /// The policy's name.
    pub fn name(self) -> &'static str {
        match self {
            PagePolicy::Open => "open",
            PagePolicy::Closed => "closed",
        }
    }
}

/// Controller parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControllerConfig {
    /// Read queue entries.
    pub read_queue: usize,
    /// Write queue entries.
    pub write_queue: usize,
    /// Writes drain above this share of the write queue...
    pub write_high: f64,
    /// ...until they fall below this share (while reads wait).
    pub write_low: f64,
    /// Row-buffer policy.
    pub page: PagePolicy,
    /// Refresh policy.
    pub refresh: RefreshPolicy,
}

impl Default for ControllerConfig {
    /// 32-entry queues and 0.8 / 0.2 watermarks (the defaults of Ramulator 2's
    /// controllers, an assumption for a generic accelerator controller),
    /// open page, all-bank refresh.
    fn default() -> Self {
        ControllerConfig {
            read_queue: 32,
            write_queue: 32,
            write_high: 0.8,
            write_low: 0.2,
            page: PagePolicy::Open,
            refresh: RefreshPolicy::AllBank,
        }
    }
}
