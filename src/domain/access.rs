//! Who may do what. Three roles, each a fixed set of permissions; every web
//! route names the permission it needs and the server checks it.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Users, periods (reopen), and everything an accountant does.
    Admin,
    /// Upload, reconcile, post to NetSuite, close the month.
    Accountant,
    /// Reads everything and exports evidence; changes nothing.
    Auditor,
}

/// What a request wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See any page, download any report or evidence file.
    Read,
    Upload,
    Reconcile,
    PostNetSuite,
    ClosePeriod,
    /// Reopening a closed month undoes a controller's sign-off: admins only.
    ReopenPeriod,
    ManageUsers,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Accountant, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Accountant => "accountant",
            Role::Auditor => "auditor",
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Accountant => matches!(
                permission,
                Read | Upload | Reconcile | PostNetSuite | ClosePeriod
            ),
            Role::Auditor => permission == Read,
        }
    }

    /// Whether the role changes anything at all (auditors do not).
    pub fn writes(self) -> bool {
        self != Role::Auditor
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role (admin, accountant or auditor)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "accountant" => Ok(Role::Accountant),
            "auditor" => Ok(Role::Auditor),
            _ => Err(UnknownRole(s.to_string())),
        }
    }
}

/// A user name: 1–64 characters of letters, digits, `.`, `_`, `-`, `@`
/// (what the audit log and the entries' `created_by` show).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct UserName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid user name (1–64 letters, digits, `.`, `_`, `-` or `@`)")]
pub struct BadUserName(pub String);

impl UserName {
    pub fn parse(s: &str) -> Result<Self, BadUserName> {
        let ok = !s.is_empty()
            && s.chars().count() <= 64
            && s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
        if ok {
            Ok(UserName(s.to_string()))
        } else {
            Err(BadUserName(s.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The shortest password accepted: NIST 800-63B's minimum for passwords a
/// person chooses.
pub const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadPassword {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password of more than 1024 characters is refused")]
    TooLong,
}

pub fn check_password_rules(password: &str) -> Result<(), BadPassword> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Err(BadPassword::TooShort)
    } else if n > 1024 {
        Err(BadPassword::TooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auditors_only_read() {
        use Permission::*;
        for p in [
            Upload,
            Reconcile,
            PostNetSuite,
            ClosePeriod,
            ReopenPeriod,
            ManageUsers,
        ] {
            assert!(!Role::Auditor.can(p), "{p:?}");
            assert!(Role::Admin.can(p), "{p:?}");
        }
        assert!(Role::Auditor.can(Read));
        assert!(Role::Accountant.can(ClosePeriod));
        assert!(!Role::Accountant.can(ReopenPeriod));
        assert!(!Role::Accountant.can(ManageUsers));
    }

    #[test]
    fn roles_and_names_parse() {
        assert_eq!("Auditor".parse::<Role>().unwrap(), Role::Auditor);
        assert!("root".parse::<Role>().is_err());
        assert!(UserName::parse("ana.lopez@brand").is_ok());
        assert!(UserName::parse("").is_err());
        assert!(UserName::parse("a b").is_err());
        assert!(UserName::parse("x<script>").is_err());
        assert_eq!(check_password_rules("short"), Err(BadPassword::TooShort));
        assert!(check_password_rules("long enough").is_ok());
    }
}
