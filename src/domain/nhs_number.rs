//! The NHS number: ten digits, the last a Modulus 11 check digit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A patient's NHS number that has passed the Modulus 11 check.
///
/// Held as its ten digits; shown in the NHS's own `943 476 5919` grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber([u8; 10]);

/// Why a typed NHS number was not accepted, in words a receptionist can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    /// Nothing was typed.
    #[error("enter the NHS number (10 digits)")]
    Empty,
    /// Something other than a digit, a space or a dash (an invisible one is named by its code).
    #[error("an NHS number has only digits; remove {}", super::validation::shown_char(*.0))]
    NotADigit(char),
    /// Not ten digits.
    #[error("an NHS number has 10 digits; this has {0}")]
    WrongLength(usize),
    /// The Modulus 11 check gives 10: no NHS number can end this way.
    #[error("this is not a valid NHS number (no check digit is possible) - check each digit")]
    NoCheckDigit,
    /// The last digit does not match the first nine.
    #[error(
        "check digit is wrong - probably a typo; check each digit against the patient's record"
    )]
    WrongCheckDigit,
}

impl NhsNumber {
    /// Parses an NHS number typed with or without spaces (also dashes, as
    /// some letters print it) and checks it with the Modulus 11 rule.
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let mut digits = [0u8; 10];
        let mut count = 0usize;
        for c in input.trim().chars() {
            if c == ' ' || c == '-' {
                continue;
            }
            let Some(d) = c.to_digit(10) else {
                return Err(NhsNumberError::NotADigit(c));
            };
            if count < 10 {
                // to_digit(10) is always < 10, so this fits in a u8.
                digits[count] = d as u8;
            }
            count += 1;
        }
        match count {
            0 => Err(NhsNumberError::Empty),
            10 => {
                let expected = check_digit(&digits)?;
                if expected == digits[9] {
                    Ok(Self(digits))
                } else {
                    Err(NhsNumberError::WrongCheckDigit)
                }
            }
            n => Err(NhsNumberError::WrongLength(n)),
        }
    }

    /// The ten digits with no spaces, as stored and exported: `9434765919`.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// True for the range reserved for testing (never issued to a patient).
    pub fn is_test_range(&self) -> bool {
        self.0[..3] == [9, 9, 9]
    }

    /// Builds a valid NHS number from its first nine digits, if one exists
    /// (for synthetic data). Returns `None` when the check digit would be 10.
    pub fn from_first_nine(first_nine: u32) -> Option<Self> {
        if first_nine > 999_999_999 {
            return None;
        }
        let mut digits = [0u8; 10];
        let mut n = first_nine;
        for slot in digits[..9].iter_mut().rev() {
            *slot = (n % 10) as u8;
            n /= 10;
        }
        let check = check_digit(&digits).ok()?;
        digits[9] = check;
        Some(Self(digits))
    }
}

/// The Modulus 11 check digit of the first nine digits: weights 10 down to 2,
/// `11 - (sum mod 11)`, where 11 becomes 0 and 10 means no valid number.
fn check_digit(digits: &[u8; 10]) -> Result<u8, NhsNumberError> {
    let sum: u32 = digits[..9]
        .iter()
        .zip((2..=10u32).rev())
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    match 11 - (sum % 11) {
        11 => Ok(0),
        10 => Err(NhsNumberError::NoCheckDigit),
        c => Ok(c as u8),
    }
}

impl fmt::Display for NhsNumber {
    /// `943 476 5919`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.digits();
        write!(f, "{} {} {}", &s[..3], &s[3..6], &s[6..])
    }
}

impl FromStr for NhsNumber {
    type Err = NhsNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = NhsNumberError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<NhsNumber> for String {
    fn from(n: NhsNumber) -> Self {
        n.digits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_nhs_example_with_and_without_spaces() {
        for typed in ["9434765919", "943 476 5919", " 943-476-5919 "] {
            let n = NhsNumber::parse(typed);
            assert_eq!(
                n.map(|n| n.to_string()),
                Ok("943 476 5919".to_string()),
                "{typed}"
            );
        }
    }

    #[test]
    fn accepts_test_range_numbers() {
        let n = NhsNumber::parse("999 000 0018");
        assert!(n.is_ok(), "{n:?}");
        assert!(n.is_ok_and(|n| n.is_test_range()));
    }

    #[test]
    fn rejects_a_wrong_check_digit() {
        assert_eq!(
            NhsNumber::parse("9434765918"),
            Err(NhsNumberError::WrongCheckDigit)
        );
        // A transposition of two digits is caught.
        assert_eq!(
            NhsNumber::parse("9434765991"),
            Err(NhsNumberError::WrongCheckDigit)
        );
    }

    #[test]
    fn rejects_numbers_whose_check_digit_would_be_ten() {
        // 999000001: sum = 9*10+9*9+9*8+1*2 = 245, 245 mod 11 = 3, 11-3 = 8 -> fine;
        // search for a first-nine with check 10 and make sure it is refused.
        let mut found = false;
        for first_nine in 999_000_000u32..999_000_100 {
            if NhsNumber::from_first_nine(first_nine).is_none() {
                let s = format!("{first_nine}0");
                assert_eq!(NhsNumber::parse(&s), Err(NhsNumberError::NoCheckDigit));
                found = true;
            }
        }
        assert!(
            found,
            "expected at least one first-nine with check digit 10"
        );
    }

    #[test]
    fn check_digit_eleven_becomes_zero() {
        // Sum divisible by 11 gives check 11 -> 0.
        let n = (999_000_000u32..999_001_000)
            .filter_map(NhsNumber::from_first_nine)
            .find(|n| n.digits().ends_with('0'));
        let n = n.map(|n| n.digits());
        assert!(n.is_some());
        if let Some(d) = n {
            assert!(NhsNumber::parse(&d).is_ok());
        }
    }

    #[test]
    fn rejects_bad_shapes_with_plain_messages() {
        assert_eq!(NhsNumber::parse(""), Err(NhsNumberError::Empty));
        assert_eq!(NhsNumber::parse("   "), Err(NhsNumberError::Empty));
        assert_eq!(
            NhsNumber::parse("943476591"),
            Err(NhsNumberError::WrongLength(9))
        );
        assert_eq!(
            NhsNumber::parse("94347659190"),
            Err(NhsNumberError::WrongLength(11))
        );
        assert_eq!(
            NhsNumber::parse("94347659l9"),
            Err(NhsNumberError::NotADigit('l'))
        );
        assert_eq!(
            NhsNumber::parse("９４３４７６５９１９"),
            Err(NhsNumberError::NotADigit('９'))
        );
        let msg = NhsNumberError::WrongCheckDigit.to_string();
        assert!(msg.contains("typo"));
    }

    #[test]
    fn from_first_nine_always_parses_back() {
        for first_nine in (999_000_000u32..999_999_999).step_by(7_919).take(500) {
            if let Some(n) = NhsNumber::from_first_nine(first_nine) {
                assert_eq!(NhsNumber::parse(&n.to_string()), Ok(n));
                assert!(n.is_test_range());
            }
        }
    }
}
