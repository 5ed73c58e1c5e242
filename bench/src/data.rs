//! The generated collaboration the scenarios run against: institutions and people with
//! accounts, written through the store's own row types and queries. Every account shares one
//! password hash, computed once, so that generating 100,000 people takes seconds.

use anyhow::{Context, Result};
use b2mms::store::models::{AccountRow, InstitutionRow, PersonRow};
use b2mms::store::{self, DbUrl, to_db_time};
use b2mms_shared::{Category, InstitutionId, InstitutionStatus, MembershipStatus, PersonId, Role};

/// The password of every generated account.
pub const PASSWORD: &str = "Bench-Mark-Pass-2026";

/// What the scenarios need to know about the generated data.
pub struct Generated {
    /// The administrator's account name (the first person).
    pub admin: String,
    /// Every person's id, in generation order.
    pub people: Vec<PersonId>,
    /// Every institution.
    pub institutions: Vec<InstitutionId>,
    /// The institution the administrator belongs to and represents (invites and approves for).
    pub institution: InstitutionId,
}

fn account_name(n: usize) -> String {
    format!("bench{n:06}")
}

/// Migrates the database at `url` and fills it with `people` people at `people / 40 + 1`
/// institutions; the first person is an administrator and represents the first institution.
pub fn generate(url: &str, people: usize) -> Result<Generated> {
    let mut conn = DbUrl::parse(url)
        .map_err(anyhow::Error::msg)?
        .connect()
        .map_err(anyhow::Error::msg)?;
    store::migrate::run_pending(&mut conn)
        .map_err(|e| anyhow::anyhow!("migrating the benchmark database: {e}"))?;
    let now = chrono::Utc::now();
    let at = to_db_time(now);
    let institutions: Vec<InstitutionId> = (0..people / 40 + 1).map(|_| store::new_id()).collect();
    store::write_tx(&mut conn, |conn| {
        for (n, id) in institutions.iter().enumerate() {
            store::institutions::insert(
                conn,
                &InstitutionRow {
                    id: id.clone(),
                    name: format!("Benchmark Institute {n}"),
                    short_name: format!("BI{n}"),
                    city: "Tsukuba".into(),
                    country: "JP".into(),
                    ror_id: None,
                    inspire_id: None,
                    status: InstitutionStatus::Active,
                    created_at: at,
                    updated_at: at,
                    paper_name: None,
                    address: None,
                },
            )?;
        }
        Ok(())
    })
    .context("institutions")?;
    let ids = add_people(&mut conn, &institutions, 0, people)?;
    let admin = ids.first().context("at least one person")?;
    store::roles::grant_role(&mut conn, admin, Role::Admin, None, now)?;
    let institution = institutions[0].clone();
    store::institutions::add_representative(&mut conn, &institution, admin, now)?;
    Ok(Generated {
        admin: account_name(0),
        people: ids,
        institution,
        institutions,
    })
}

/// Adds people to the collaboration at `url`, which has `have`, until it has `total`, spread
/// over its `institutions`; the new people's ids.
pub fn grow(
    url: &str,
    institutions: &[InstitutionId],
    have: usize,
    total: usize,
) -> Result<Vec<PersonId>> {
    let mut conn = DbUrl::parse(url)
        .map_err(anyhow::Error::msg)?
        .connect()
        .map_err(anyhow::Error::msg)?;
    add_people(&mut conn, institutions, have, total.max(have))
}

/// People numbered `from..to` with accounts, spread over the institutions.
fn add_people(
    conn: &mut store::DbConnection,
    institutions: &[InstitutionId],
    from: usize,
    to: usize,
) -> Result<Vec<PersonId>> {
    let now = chrono::Utc::now();
    let at = to_db_time(now);
    let hash = b2mms::auth::passwords::hash_blocking(PASSWORD)?;
    let expires = to_db_time(now + chrono::Duration::days(365));
    let ids: Vec<PersonId> = (from..to).map(|_| store::new_id()).collect();
    for (chunk, batch) in ids.chunks(1000).enumerate() {
        store::write_tx(conn, |conn| {
            for (k, id) in batch.iter().enumerate() {
                let n = from + chunk * 1000 + k;
                let institution = institutions[n % institutions.len()].clone();
                let person = PersonRow {
                    id: id.clone(),
                    given_name: format!("Given{n}"),
                    middle_name: None,
                    family_name: format!("Family{n}"),
                    email: format!("person{n}@bench.example.org"),
                    registry_email: None,
                    orcid: None,
                    category: Category::PhysicistPermanent,
                    institution_id: institution.clone(),
                    status: MembershipStatus::Active,
                    membership_start: Some(now.date_naive()),
                    membership_end: None,
                    grace_from: None,
                    paper_name: None,
                    search_key: String::new(),
                    inspire_id: None,
                    created_at: at,
                    updated_at: at,
                };
                let mut account =
                    AccountRow::initial(id.clone(), account_name(n), hash.clone(), at, expires);
                account.must_change_password = false;
                store::persons::insert_member(conn, &person, &account)?;
            }
            Ok(())
        })
        .with_context(|| format!("people, batch {chunk}"))?;
    }
    Ok(ids)
}
