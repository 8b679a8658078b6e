//! Quectel module simulator.
