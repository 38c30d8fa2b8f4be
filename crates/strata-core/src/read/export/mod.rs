//! The tables behind the CSV reports and the JSON API's lists: which rows a request covers
//! ([`scope`]), what each row kind holds ([`kinds`]), their rows in key order ([`rows`]) and
//! the daily rollup folded per job name and day ([`daily`]). Server code serialises these
//! rows; it does not write SQL of its own.

pub mod daily;
pub mod items;
pub mod kinds;
pub mod rows;
pub mod scope;
