//! Demo data without a GitLab server: scenarios that model the four ways of building Docker
//! images in GitLab CI (plus a queue-starved project), the runner logs their jobs would
//! write, the ground truth each scenario plants, and a fake GitLab REST API that serves it
//! all for tests, benchmarks and `strata demo`.

pub mod dataset;
pub mod fake_gitlab;
pub mod ground_truth;
pub mod log_writer;
pub mod scenario;
pub mod store_load;

pub use dataset::{Dataset, DemoConfig};
pub use fake_gitlab::{FakeConfig, FakeGitLab};
pub use ground_truth::{Finding, GroundTruth};
pub use scenario::ScenarioKind;
