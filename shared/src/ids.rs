//! Record ids as types of their own, so that a person's id cannot be passed where an
//! institution's is meant. Each holds the UUID text it is stored and sent as.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! record_id {
    ($(#[doc = $doc:literal])* $name:ident) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(into = "Uuid", from = "Uuid")]
        #[cfg_attr(feature = "db", derive(diesel_derive_newtype::DieselNewType))]
        pub struct $name(String);

        impl $name {
            /// The id in its stored form, a hyphenated lower-case UUID.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as a UUID, for the wire.
            pub fn uuid(&self) -> Uuid {
                // Ids are only made from UUIDs (`From<Uuid>`, `parse`) and stored as such.
                Uuid::parse_str(&self.0).unwrap_or_default()
            }

            /// Parses a UUID's text; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::parse_str(text).ok().map(Self::from)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                $name(id.hyphenated().to_string())
            }
        }

        impl From<&$name> for Uuid {
            fn from(id: &$name) -> Uuid {
                id.uuid()
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.uuid()
            }
        }


        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

record_id! {
    /// A person, whether or not they have an account.
    PersonId
}

record_id! {
    /// An author list for a paper.
    AuthorListId
}

record_id! {
    /// An individual decision about a person's authorship.
    AuthorExceptionId
}

record_id! {
    /// A member institution.
    InstitutionId
}

record_id! {
    /// A registration request.
    RegistrationId
}

record_id! {
    /// An invitation to register.
    InvitationId
}

record_id! {
    /// One affiliation of a person: a membership period or an additional institution.
    AffiliationId
}

record_id! {
    /// A change of institution.
    TransferId
}

record_id! {
    /// A group of people.
    GroupId
}

record_id! {
    /// An application to join a group.
    GroupApplicationId
}

record_id! {
    /// A mailing list kept from the records.
    MailingListId
}

record_id! {
    /// An election or vote.
    ElectionId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_uuids_only_and_normalises_them() {
        let id = Uuid::from_u128(0x0190_1234_5678_7abc_8def_0123_4567_89ab);
        let upper = id.hyphenated().to_string().to_uppercase();
        assert_eq!(PersonId::parse(&upper), Some(PersonId::from(id)));
        assert_eq!(PersonId::parse(&upper).unwrap().uuid(), id);
        assert_eq!(PersonId::parse("not-a-uuid"), None);
        assert_eq!(PersonId::parse(""), None);
    }

    #[test]
    fn travels_as_the_bare_uuid_text_and_refuses_other_text() {
        let id = InstitutionId::from(Uuid::nil());
        let text = serde_json::to_string(&id).unwrap();
        assert_eq!(text, "\"00000000-0000-0000-0000-000000000000\"");
        assert_eq!(serde_json::from_str::<InstitutionId>(&text).unwrap(), id);
        assert!(serde_json::from_str::<InstitutionId>("\"A\"").is_err());
    }
}
