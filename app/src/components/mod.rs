//! Building blocks shared by pages.

pub mod empty_state;
pub mod format;
pub mod nav;
pub mod period_picker;
