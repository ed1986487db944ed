//! Who is looking and what they may see: the roles of docs/security.md and the grants an
//! administrator gives identity-provider groups. The database decides both from a verified
//! token; the app reads them back only to hide what the person could not use anyway.

use crate::{Channel, named_enum};

named_enum!(
    /// What a signed-in person may do. Ordered: each role may do what the one before may.
    Role, "role", {
        /// Sees the campaigns of their scope.
        Viewer => "viewer",
        /// Also exports.
        Analyst => "analyst",
        /// Sees everything and reviews the audit trail.
        Admin => "admin",
    }
);

impl Role {
    /// Whether the role may export CSV and PDF reports.
    pub fn may_export(self) -> bool {
        self >= Role::Analyst
    }

    /// Whether the role may read the audit trail.
    pub fn may_review_audit(self) -> bool {
        self == Role::Admin
    }
}

/// One group's grant: the campaigns of these types on these channels (`None`: all).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grant {
    /// Campaign types, or every type.
    pub campaign_types: Option<Vec<String>>,
    /// Channels, or every channel.
    pub channels: Option<Vec<Channel>>,
}

/// The person a database connection is signed in as, as the database verified them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    /// The identity provider's subject (`sub`), or `database:<login>` for a database login
    /// that may read every table without signing in.
    pub subject: String,
    /// The highest role of the person's groups.
    pub role: Role,
    /// Whether every campaign is visible (an admin, or a grant of everything).
    pub everything: bool,
    /// The grants of the person's groups; their union is what is visible.
    pub grants: Vec<Grant>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_name_and_order_by_power() {
        assert_eq!("analyst".parse::<Role>(), Ok(Role::Analyst));
        assert!("root".parse::<Role>().is_err());
        assert!(Role::Viewer < Role::Analyst && Role::Analyst < Role::Admin);
        assert!(!Role::Viewer.may_export());
        assert!(Role::Analyst.may_export() && Role::Admin.may_export());
        assert!(Role::Admin.may_review_audit() && !Role::Analyst.may_review_audit());
    }

    #[test]
    fn a_grant_reads_the_database_s_json() {
        let grant: Grant =
            serde_json::from_str(r#"{"campaign_types": ["Wellness"], "channels": null}"#)
                .expect("a grant");
        assert_eq!(grant.campaign_types, Some(vec!["Wellness".to_owned()]));
        assert_eq!(grant.channels, None);
        assert!(
            serde_json::from_str::<Grant>(r#"{"campaign_types": null, "channels": ["Fax"]}"#)
                .is_err()
        );
    }
}

/// How the app is signed in, for the view layer: what to show and what to hide. The database
/// enforces the same; this only spares a person a button that could not work.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    /// The demo database of synthetic data, which needs no sign-in ("Demo: no sign-in").
    pub demo: bool,
    /// Whether an identity provider is configured (the app shows a sign-in screen until a
    /// person signs in).
    pub sign_in_configured: bool,
    /// The person signed in, if any.
    pub subject: Option<String>,
    /// Their role, as the database verified it.
    pub role: Option<Role>,
}

impl Session {
    /// Whether the Export button is shown: everyone but a viewer (and anyone where no one
    /// signs in).
    pub fn may_export(&self) -> bool {
        self.role.is_none_or(Role::may_export)
    }
}
