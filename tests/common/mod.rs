#![allow(dead_code)]

pub mod script;
pub mod sim;
pub mod stack;
