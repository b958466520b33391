//! The RULEBOOK's rule IDs with the clause of the terms each one rests on.
//!
//! A terms profile may name a different clause for a rule (its own numbering); see
//! [`crate::terms::TermsProfile::clause_for`]. These are the defaults, taken from
//! `RULEBOOK.md`.

use crate::decision::RuleRef;

macro_rules! rules {
    ($($name:ident = ($id:literal, $clause:literal);)*) => {
        $(pub const $name: RuleRef = RuleRef { rule: $id, clause: $clause };)*
        /// Every rule this build knows, for validation of terms profiles.
        pub const ALL: &[RuleRef] = &[$($name),*];
    };
}

rules! {
    P1 = ("P1", "W Definitions");
    P2 = ("P2", "X Def. 1");
    P3 = ("P3", "W 15.2");
    P4 = ("P4", "W 15.3");
    P5 = ("P5", "W 8.3");
    C1 = ("C1", "X 2.A");
    C2 = ("C2", "W 2.2");
    C3 = ("C3", "X 3.A");
    C4 = ("C4", "W 7.5");
    C5 = ("C5", "X 6");
    C6 = ("C6", "W 13.1");
    C7 = ("C7", "W 12.1");
    B1 = ("B1", "X 3.C");
    B2 = ("B2", "W 7.9.1");
    B3 = ("B3", "X 3.B");
    B4 = ("B4", "X 3.A");
    B5 = ("B5", "X 3.B");
    B6 = ("B6", "X 3.B");
    B7 = ("B7", "X 3.C");
    B8 = ("B8", "W 7.6");
    B9 = ("B9", "X 3.D");
    B10 = ("B10", "X 3.B");
    B11 = ("B11", "W 7.9.3");
    B12 = ("B12", "W 20.3");
    E1 = ("E1", "W 21.4");
    E2 = ("E2", "W 21.5");
    E3 = ("E3", "W 21.6");
    E4 = ("E4", "W 21.7");
    E5 = ("E5", "W 21.17");
    E6 = ("E6", "W 21.19");
    E7 = ("E7", "W 21.24");
    E8 = ("E8", "W 21.12-21.14");
    K1 = ("K1", "W 22.2");
    K2 = ("K2", "W 22.3");
    K3 = ("K3", "W 22.4");
    K4 = ("K4", "W 22.5");
    K5 = ("K5", "W 22.6");
    L1 = ("L1", "W 24.4.1(e)");
    L2 = ("L2", "W 24.9");
    Q = ("Q", "X 2.B");
    T1 = ("T1", "W 3.1");
    T2 = ("T2", "W 3.2");
    T3 = ("T3", "W 6.1");
    T4 = ("T4", "W 6.2");
    T5 = ("T5", "W 6.2");
    T6 = ("T6", "W 5.1");
    T7 = ("T7", "X 15.A-E");
    T8 = ("T8", "X 15.C");
    T9 = ("T9", "X 15.F");
    T10 = ("T10", "X 15");
    T11 = ("T11", "W 8.5");
    T12 = ("T12", "W 8.4");
    T13 = ("T13", "X 5.B.ii");
    T14 = ("T14", "X 14.B");
    F1 = ("F1", "W 8.1");
    F2 = ("F2", "W 8.2");
    F3 = ("F3", "W 8.2");
    F4 = ("F4", "W 8.6");
    F5 = ("F5", "W 8.7");
    F6 = ("F6", "W 9.10");
    F8 = ("F8", "X 14.A");
    F9 = ("F9", "X 14.A");
    M1 = ("M1", "W 23.1");
    M2 = ("M2", "W 23.3");
    M3 = ("M3", "W 23.4");
    M4 = ("M4", "W 23.5");
    M5 = ("M5", "W 23.6");
    M6 = ("M6", "W 23.7");
    M7 = ("M7", "W 23.8");
    A1 = ("A1", "W 4.1");
    A2 = ("A2", "W 4.3");
    A3 = ("A3", "X Security Standards");
    S1 = ("S1", "W 20.1");
    S2 = ("S2", "W 20.2");
    S3 = ("S3", "W 20.3");
    H1 = ("H1", "W 15.1");
    H2 = ("H2", "W 15.2");
    H3 = ("H3", "W 16.1");
    H4 = ("H4", "W 16.3");
    H5 = ("H5", "W 17.1");
    H6 = ("H6", "W 17.2");
    H7 = ("H7", "W 17.4");
    H8 = ("H8", "W 17.5");
    H9 = ("H9", "We 17.7");
    H10 = ("H10", "W 17.5");
    H11 = ("H11", "We 17.7");
    H12 = ("H12", "W 14.5");
    S4 = ("S4", "W 18");
}

/// Looks a rule up by its ID ("F2").
pub fn by_id(id: &str) -> Option<RuleRef> {
    ALL.iter().copied().find(|r| r.rule == id)
}
