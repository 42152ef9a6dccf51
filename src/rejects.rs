//! Reject reasons and the record of one rejected (row, column, reason).

use serde::Serialize;

/// Why a row, or one of its cells, broke its input's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Bytes that are not text in the file's encoding.
    InvalidEncoding,
    /// A CSV row with more or fewer fields than its header.
    WrongFieldCount,
    /// A required column is empty.
    MissingValue,
    /// Not 18 characters of the USCC alphabet after normalisation.
    MalformedUscc,
    InvalidDate,
    InvalidMonth,
    /// Not a decimal number, or NaN, or infinite.
    InvalidAmount,
    NegativeAmount,
    /// More than two decimals.
    TooManyDecimals,
    /// More than 13 integer digits.
    AmountTooLarge,
    /// A `cny_per_unit` of zero or less, or not a number.
    InvalidRate,
    /// A value outside a closed list.
    UnknownValue,
    InvalidBoolean,
    /// Not a non-negative whole number.
    InvalidInteger,
    /// Not three letters.
    InvalidCurrency,
    /// Not two letters.
    InvalidCountry,
    /// The row's key appears more than once among the rows whose key parses.
    DuplicateKey,
    /// A full ID or code whose check character is wrong (a warning on optional columns).
    InvalidCheckCharacter,
    /// An identifier that arrived as a number (an XLSX number cell, a Parquet integer or
    /// float) from which a digit may have been lost: more than 15 significant digits, a
    /// fraction, or a float too large to hold every digit.
    IdentifierAsNumber,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::InvalidEncoding => "invalid_encoding",
            Reason::WrongFieldCount => "wrong_field_count",
            Reason::MissingValue => "missing_value",
            Reason::MalformedUscc => "malformed_uscc",
            Reason::InvalidDate => "invalid_date",
            Reason::InvalidMonth => "invalid_month",
            Reason::InvalidAmount => "invalid_amount",
            Reason::NegativeAmount => "negative_amount",
            Reason::TooManyDecimals => "too_many_decimals",
            Reason::AmountTooLarge => "amount_too_large",
            Reason::InvalidRate => "invalid_rate",
            Reason::UnknownValue => "unknown_value",
            Reason::InvalidBoolean => "invalid_boolean",
            Reason::InvalidInteger => "invalid_integer",
            Reason::InvalidCurrency => "invalid_currency",
            Reason::InvalidCountry => "invalid_country",
            Reason::DuplicateKey => "duplicate_key",
            Reason::InvalidCheckCharacter => "invalid_check_character",
            Reason::IdentifierAsNumber => "identifier_as_number",
        }
    }

    pub const ALL: [Reason; 19] = [
        Reason::InvalidEncoding,
        Reason::WrongFieldCount,
        Reason::MissingValue,
        Reason::MalformedUscc,
        Reason::InvalidDate,
        Reason::InvalidMonth,
        Reason::InvalidAmount,
        Reason::NegativeAmount,
        Reason::TooManyDecimals,
        Reason::AmountTooLarge,
        Reason::InvalidRate,
        Reason::UnknownValue,
        Reason::InvalidBoolean,
        Reason::InvalidInteger,
        Reason::InvalidCurrency,
        Reason::InvalidCountry,
        Reason::DuplicateKey,
        Reason::InvalidCheckCharacter,
        Reason::IdentifierAsNumber,
    ];
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rejected (row, column, reason), or a warning on an optional column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Reject {
    /// The input's name (`firms`, `exports`, ...).
    pub input: &'static str,
    /// The file the row came from, as named in the config.
    pub file: String,
    /// The row as a person counts it in that file: the header is row 1.
    pub row: u64,
    /// The canonical column name, or empty when the whole row is at fault.
    pub column: String,
    /// The value as read (truncated to 200 characters).
    pub value: String,
    pub reason: Reason,
    /// The rejected row's key (`uscc` of a firm, `claim_id` of a claim, ...) when its input
    /// has one and it could be read; set once the input is validated.
    pub key: Option<String>,
}

impl Reject {
    pub fn new(input: &'static str, file: &str, row: u64, column: &str, value: &str, reason: Reason) -> Self {
        Reject {
            input,
            file: file.to_string(),
            row,
            column: column.to_string(),
            value: value.chars().take(200).collect(),
            reason,
            key: None,
        }
    }
}
