use super::*;

fn n(s: &str) -> Number {
    Number::parse(s).unwrap()
}

#[test]
fn display_matches_apd() {
    for (input, want) in [
        ("10.0", "10.0"),
        ("1e3", "1E+3"),
        ("1.5e-7", "1.5E-7"),
        ("0.000001", "0.000001"),
        ("0.0000001", "1E-7"),
        ("123", "123"),
        ("1.10", "1.10"),
        ("0.5", "0.5"),
        (".5", "0.5"),
        ("0e0", "0"),
        ("1_000", "1000"),
        ("0x1F", "31"),
        ("0o17", "15"),
        ("0b101", "5"),
    ] {
        assert_eq!(n(input).to_string(), want, "{input}");
    }
}

#[test]
fn kinds_of_literals() {
    assert_eq!(n("1").kind(), NumKind::Int);
    assert_eq!(n("1.0").kind(), NumKind::Float);
    assert_eq!(n("1e3").kind(), NumKind::Float);
    assert_eq!(n("1.5K").kind(), NumKind::Int);
}

#[test]
fn multipliers() {
    assert_eq!(n("1Ki").to_string(), "1024");
    assert_eq!(n("1.5K").to_string(), "1500");
    assert_eq!(n("2Mi").to_string(), "2097152");
    assert_eq!(n("1G").to_string(), "1000000000");
    assert!(Number::parse("1.1111Ki").is_err());
}

#[test]
fn rejects_garbage() {
    assert!(Number::parse("").is_err());
    assert!(Number::parse("1x").is_err());
    assert!(Number::parse(".").is_err());
}

#[test]
fn context_rounding() {
    let big = n("100000000000000000000000000001");
    assert_eq!(
        big.add(&n("1")).to_string(),
        "1.00000000000000000000000E+29"
    );
    assert_eq!(
        n("1").div(&n("3")).unwrap().to_string(),
        "0.333333333333333333333333"
    );
    assert_eq!(
        n("2").div(&n("3")).unwrap().to_string(),
        "0.666666666666666666666667"
    );
    assert_eq!(n("3").mul(&n("1.10")).to_string(), "3.30");
    assert_eq!(n("10").div(&n("5")).unwrap().to_string(), "2");
    assert_eq!(n("1").div(&n("4")).unwrap().to_string(), "0.25");
    assert_eq!(n("1.0").div(&n("1")).unwrap().to_string(), "1.0");
    assert_eq!(n("1").div(&n("3")).unwrap().kind(), NumKind::Float);
    assert!(n("1").div(&n("0")).is_err());
}

#[test]
fn add_sub_keep_scale() {
    assert_eq!(n("1.5").add(&n("1")).to_string(), "2.5");
    assert_eq!(n("1.50").sub(&n("0.5")).to_string(), "1.00");
    assert_eq!(n("2").sub(&n("5")).to_string(), "-3");
    assert_eq!(n("1").add(&n("2")).kind(), NumKind::Int);
    assert_eq!(n("1").add(&n("2.0")).kind(), NumKind::Float);
}

#[test]
fn integer_division() {
    let (a, b) = (n("-7"), n("2"));
    assert_eq!(a.int_div(&b).unwrap().to_string(), "-4");
    assert_eq!(a.int_mod(&b).unwrap().to_string(), "1");
    assert_eq!(a.int_quo(&b).unwrap().to_string(), "-3");
    assert_eq!(a.int_rem(&b).unwrap().to_string(), "-1");
    assert_eq!(n("7").int_div(&n("-2")).unwrap().to_string(), "-3");
    assert_eq!(n("7").int_mod(&n("-2")).unwrap().to_string(), "1");
    assert!(n("7").int_div(&n("0")).is_err());
}

#[test]
fn compare_across_kinds() {
    assert_eq!(n("1"), n("1.0"));
    assert!(n("1.5") > n("1"));
    assert!(n("-2") < n("1e-9"));
    assert_eq!(n("1e3").to_i64(), Some(1000));
    assert_eq!(n("1.5").to_i64(), None);
}

#[test]
fn from_f64_round_trips() {
    assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
    assert_eq!(Number::from_f64(1.5).unwrap().kind(), NumKind::Float);
    assert!(Number::from_f64(f64::NAN).is_none());
}

#[test]
fn integer_text_fast_path() {
    for (n, s) in [
        (0i64, "0"),
        (7, "7"),
        (-5, "-5"),
        (1_000_000, "1000000"),
        (i64::MIN, "-9223372036854775808"),
        (i64::MAX, "9223372036854775807"),
    ] {
        assert_eq!(Number::from_i64(n).to_string(), s);
    }
    assert_eq!(
        Number::parse("12345678901234567890123")
            .unwrap()
            .to_string(),
        "12345678901234567890123"
    );
}
