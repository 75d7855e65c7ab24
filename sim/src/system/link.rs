//! One message over a link: the bytes on the wire and the time.
//!
//! Packetization follows LLMCompass's link model (Zhang et al., ISCA 2024,
//! `hardware_model/interconnect.py` and `software_model/
//! communication_primitives.py` of PrincetonUniversity/LLMCompass): a
//! message of `m` bytes carries one header of its own plus one per packet
//! of at most `payload_bytes`, the header rounded up to whole flits:
//! `header + ceil(m / payload) * header + m`. With `payload_bytes = 0` a
//! message is its bytes alone.

use super::LinkConfig;

/// Bytes on the wire for a message of `m` payload bytes.
pub fn wire_bytes(link: &LinkConfig, m: f64) -> f64 {
    if link.payload_bytes == 0 || m <= 0.0 {
        return m.max(0.0);
    }
    let flit = u64::from(link.flit_bytes.max(1));
    let header = u64::from(link.header_bytes).div_ceil(flit) * flit;
    let packets = (m / f64::from(link.payload_bytes)).ceil();
    header as f64 + packets * header as f64 + m
}

/// Seconds a message of `m` payload bytes takes over an edge of
/// `bytes_per_s`, with the link latency when `with_latency`.
pub fn message_seconds(link: &LinkConfig, m: f64, bytes_per_s: f64, with_latency: bool) -> f64 {
    let lat = if with_latency {
        link.latency_us * 1e-6
    } else {
        0.0
    };
    lat + wire_bytes(link, m) / bytes_per_s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nvlink3() -> LinkConfig {
        LinkConfig {
            bandwidth_gbps: 25.0,
            latency_us: 8.92,
            links_per_chip: 12,
            energy_pj_per_bit: 1.0,
            energy_source: "test".into(),
            flit_bytes: 16,
            payload_bytes: 256,
            header_bytes: 16,
        }
    }

    #[test]
    fn headers_per_packet_and_message() {
        let l = nvlink3();
        // 1000 B: 4 packets of up to 256 B, 5 headers of 16 B
        assert_eq!(wire_bytes(&l, 1000.0), 1000.0 + 5.0 * 16.0);
        // a 10 B header is rounded up to one 16 B flit
        let l10 = LinkConfig {
            header_bytes: 10,
            ..nvlink3()
        };
        assert_eq!(wire_bytes(&l10, 256.0), 256.0 + 2.0 * 16.0);
        let raw = LinkConfig {
            payload_bytes: 0,
            ..nvlink3()
        };
        assert_eq!(wire_bytes(&raw, 1000.0), 1000.0);
        // 8.92 us + 1080 B / 25 GB/s
        let s = message_seconds(&l, 1000.0, 25e9, true);
        assert!((s - (8.92e-6 + 1080.0 / 25e9)).abs() < 1e-15);
    }
}
