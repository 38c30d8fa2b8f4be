//! The demo's scenarios loaded straight into the store, and Strata's analytics recovering
//! the ground truth each one plants, on both backends.

mod demo_load;
mod impact_truth;
