//! Statistics the read side needs, pure and tested against hand-worked and published values.

pub mod bootstrap;
pub mod compare;
pub mod sketch;
