//! The privacy filter from the outside: `corpus` measures recall and
//! precision per kind on the labelled corpus and checks redaction on it;
//! `props` runs the detector and redaction on arbitrary text.

mod corpus;
mod props;
