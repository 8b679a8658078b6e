#![allow(dead_code)]

pub mod clock;
pub mod script;
pub mod sim;
pub mod stack;
