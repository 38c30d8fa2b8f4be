//! The JSON API's page of rows. The rows themselves (`PipelineItem`, `JobItem`) are the
//! export's typed rows, from `strata_core::read::export::items`.

pub use strata_core::read::export::items::{JobItem, PipelineItem};

/// A page of rows and the cursor of the next one (absent on the last page).
macro_rules! page_type {
    ($name:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; null on the last page.
            pub next_cursor: Option<String>,
        }
    };
}
pub(crate) use page_type;
