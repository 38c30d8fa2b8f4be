//! Statistics the read side needs, pure and tested against hand-worked values.

pub mod sketch;
