//! Building blocks shared by pages.

pub mod chart;
pub mod empty_state;
pub mod filters;
pub mod format;
pub mod nav;
pub mod phase_bar;
pub mod runs;
