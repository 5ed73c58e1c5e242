//! Whether a person belongs to a mailing list's audience: every part of the rule that is
//! given must hold; without statuses, only active members belong.

use std::collections::HashSet;

use b2mms_shared::api::Audience;
use b2mms_shared::{AudienceRole, Category, GroupId, InstitutionId, MembershipStatus};

/// What the audience rule asks of one person.
#[derive(Debug, Clone)]
pub struct Standing<'a> {
    pub status: MembershipStatus,
    pub category: Category,
    pub institution: &'a InstitutionId,
    /// The country of their home institution.
    pub country: &'a str,
    /// The groups they are a current member of.
    pub groups: &'a HashSet<GroupId>,
    pub roles: &'a [AudienceRole],
    /// On today's author forecast.
    pub author: bool,
}

/// The statuses an audience admits.
pub fn statuses(audience: &Audience) -> Vec<MembershipStatus> {
    audience
        .statuses
        .clone()
        .unwrap_or_else(|| vec![MembershipStatus::Active])
}

/// Whether `who` belongs to `audience`.
pub fn admits(audience: &Audience, who: &Standing<'_>) -> bool {
    fn holds<T>(part: &Option<Vec<T>>, test: impl Fn(&T) -> bool) -> bool {
        part.as_ref().is_none_or(|values| values.iter().any(test))
    }
    statuses(audience).contains(&who.status)
        && holds(&audience.categories, |c| *c == who.category)
        && holds(&audience.institution_ids, |i| *i == who.institution.uuid())
        && holds(&audience.countries, |c| c == who.country)
        && holds(&audience.group_ids, |g| {
            who.groups.contains(&GroupId::from(*g))
        })
        && holds(&audience.roles, |r| who.roles.contains(r))
        && audience.authors.is_none_or(|wanted| wanted == who.author)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    /// Each part of the rule against a person who meets it and one who does not.
    #[test]
    fn every_given_part_must_hold() {
        let kek = InstitutionId::from(Uuid::from_u128(1));
        let naf = GroupId::from(Uuid::from_u128(2));
        let in_naf: HashSet<GroupId> = [naf.clone()].into();
        let none = HashSet::new();
        let person = Standing {
            status: MembershipStatus::Active,
            category: Category::PhdStudent,
            institution: &kek,
            country: "JP",
            groups: &in_naf,
            roles: &[AudienceRole::Ir],
            author: true,
        };
        let everyone = Audience::default();
        let table: Vec<(&str, Audience, Standing<'_>, bool)> = vec![
            (
                "no rule: the active",
                everyone.clone(),
                person.clone(),
                true,
            ),
            (
                "no rule: not the expired",
                everyone.clone(),
                Standing {
                    status: MembershipStatus::Expired,
                    ..person.clone()
                },
                false,
            ),
            (
                "statuses named: the expired too",
                Audience {
                    statuses: Some(vec![MembershipStatus::Active, MembershipStatus::Expired]),
                    ..everyone.clone()
                },
                Standing {
                    status: MembershipStatus::Expired,
                    ..person.clone()
                },
                true,
            ),
            (
                "another category",
                Audience {
                    categories: Some(vec![Category::PhysicistPermanent]),
                    ..everyone.clone()
                },
                person.clone(),
                false,
            ),
            (
                "one of the categories",
                Audience {
                    categories: Some(vec![Category::PhysicistPermanent, Category::PhdStudent]),
                    ..everyone.clone()
                },
                person.clone(),
                true,
            ),
            (
                "the institution",
                Audience {
                    institution_ids: Some(vec![Uuid::from_u128(1)]),
                    ..everyone.clone()
                },
                person.clone(),
                true,
            ),
            (
                "another institution",
                Audience {
                    institution_ids: Some(vec![Uuid::from_u128(9)]),
                    ..everyone.clone()
                },
                person.clone(),
                false,
            ),
            (
                "another country",
                Audience {
                    countries: Some(vec!["DE".into()]),
                    ..everyone.clone()
                },
                person.clone(),
                false,
            ),
            (
                "in the group",
                Audience {
                    group_ids: Some(vec![Uuid::from_u128(2)]),
                    ..everyone.clone()
                },
                person.clone(),
                true,
            ),
            (
                "not in the group",
                Audience {
                    group_ids: Some(vec![Uuid::from_u128(2)]),
                    ..everyone.clone()
                },
                Standing {
                    groups: &none,
                    ..person.clone()
                },
                false,
            ),
            (
                "holding the role",
                Audience {
                    roles: Some(vec![AudienceRole::Admin, AudienceRole::Ir]),
                    ..everyone.clone()
                },
                person.clone(),
                true,
            ),
            (
                "without the role",
                Audience {
                    roles: Some(vec![AudienceRole::IbChair]),
                    ..everyone.clone()
                },
                person.clone(),
                false,
            ),
            (
                "authors",
                Audience {
                    authors: Some(true),
                    ..everyone.clone()
                },
                person.clone(),
                true,
            ),
            (
                "those not authors",
                Audience {
                    authors: Some(false),
                    ..everyone.clone()
                },
                person.clone(),
                false,
            ),
            (
                "all parts hold",
                Audience {
                    countries: Some(vec!["JP".into()]),
                    categories: Some(vec![Category::PhdStudent]),
                    authors: Some(true),
                    ..everyone.clone()
                },
                person.clone(),
                true,
            ),
            (
                "one of several parts fails",
                Audience {
                    countries: Some(vec!["JP".into()]),
                    authors: Some(false),
                    ..everyone.clone()
                },
                person.clone(),
                false,
            ),
        ];
        for (name, audience, who, expected) in table {
            assert_eq!(admits(&audience, &who), expected, "{name}");
        }
    }
}
