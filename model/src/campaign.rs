//! What a campaign is: its channel and its status.

use crate::named_enum;

named_enum!(
    /// The channel a campaign reaches members through.
    Channel, "channel", {
        Email => "Email",
        Sms => "SMS",
        Push => "Push",
    }
);

named_enum!(
    /// Where a campaign is in its life.
    CampaignStatus, "campaign status", {
        Draft => "Draft",
        Scheduled => "Scheduled",
        Active => "Active",
        Paused => "Paused",
        Completed => "Completed",
        Cancelled => "Cancelled",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        for channel in Channel::ALL {
            assert_eq!(channel.as_str().parse::<Channel>(), Ok(*channel));
        }
    }

    #[test]
    fn unknown_channel_says_what_is_accepted() {
        let err = "Fax".parse::<Channel>().expect_err("Fax is not a channel");
        let message = err.to_string();
        assert!(message.contains("\"Fax\""), "{message}");
        assert!(message.contains("Email, SMS, Push"), "{message}");
    }

    #[test]
    fn names_are_case_sensitive_as_in_the_contract() {
        assert!("sms".parse::<Channel>().is_err());
        assert!("active".parse::<CampaignStatus>().is_err());
        assert_eq!("Cancelled".parse(), Ok(CampaignStatus::Cancelled));
    }
}
