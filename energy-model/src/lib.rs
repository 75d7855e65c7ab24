//! Energy and area model: technology tables and per-event energy for the counters the simulator reports.
