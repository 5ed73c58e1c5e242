//! Every migration runs up, down and up again on both backends.

use b2mms::store::{DbUrl, migrate};
use b2mms_tests::{Backend, TestDb};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn table_count(conn: &mut b2mms::store::DbConnection, backend: Backend) -> i64 {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations'"
        }
    };
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

fn up_down_up(backend: Backend) {
    let (_db, url) = TestDb::create(backend);
    let mut conn = DbUrl::parse(&url).unwrap().connect().unwrap();
    let applied = migrate::run_pending(&mut conn).unwrap();
    assert!(!applied.is_empty());
    let tables = table_count(&mut conn, backend);
    assert!(tables >= 11, "{tables}");
    let reverted = migrate::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), applied.len());
    assert_eq!(
        table_count(&mut conn, backend),
        0,
        "down removes everything"
    );
    assert_eq!(migrate::run_pending(&mut conn).unwrap(), applied);
    assert_eq!(table_count(&mut conn, backend), tables);
    assert!(
        migrate::run_pending(&mut conn).unwrap().is_empty(),
        "idempotent"
    );
}

#[test]
fn migrations_sqlite() {
    up_down_up(Backend::Sqlite);
}

#[test]
fn migrations_postgres() {
    up_down_up(Backend::Postgres);
}

#[test]
fn both_backends_have_the_same_migrations() {
    let root = b2mms_tests::workspace().join("migrations");
    let names = |dir: &str| {
        let mut v: Vec<String> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
    for name in names("sqlite") {
        for file in ["up.sql", "down.sql"] {
            for backend in ["sqlite", "postgres"] {
                assert!(
                    root.join(backend).join(&name).join(file).is_file(),
                    "{backend}/{name}/{file}"
                );
            }
        }
    }
}

/// The values a column's CHECK constraint allows, as the database has it after every
/// migration.
fn allowed(
    conn: &mut b2mms::store::DbConnection,
    backend: Backend,
    table: &str,
    column: &str,
) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        text: String,
    }
    let clause = match backend {
        Backend::Sqlite => {
            let ddl = diesel::sql_query(
                "SELECT sql AS text FROM sqlite_master WHERE type = 'table' AND name = ?",
            )
            .bind::<diesel::sql_types::Text, _>(table)
            .get_result::<Text>(conn)
            .unwrap()
            .text;
            // A column of CREATE TABLE stands on a line of its own; one added by ALTER TABLE
            // follows a comma.
            let start = ddl
                .find(&format!("\n    {column} "))
                .or_else(|| ddl.find(&format!(", {column} ")))
                .unwrap_or_else(|| panic!("{table}.{column}"));
            let check = start + ddl[start..].find("CHECK (").expect("a CHECK") + "CHECK ".len();
            let mut depth = 0;
            let mut end = check;
            for (i, c) in ddl[check..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = check + i;
                    break;
                }
            }
            ddl[check..=end].to_owned()
        }
        Backend::Postgres => diesel::sql_query(
            "SELECT pg_get_constraintdef(c.oid) AS text FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = $1 AND c.contype = 'c'",
        )
        .bind::<diesel::sql_types::Text, _>(table)
        .load::<Text>(conn)
        .unwrap()
        .into_iter()
        .map(|t| t.text)
        .find(|t| t.contains(&format!("({column} = ANY")))
        .unwrap_or_else(|| panic!("{table}.{column}: no CHECK")),
    };
    clause
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn checks_match_enums(backend: Backend) {
    use b2mms_shared::*;
    fn values<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
        let mut v: Vec<String> = all.iter().map(ToString::to_string).collect();
        v.sort();
        v
    }
    let (_db, url) = TestDb::create(backend);
    let mut conn = DbUrl::parse(&url).unwrap().connect().unwrap();
    migrate::run_pending(&mut conn).unwrap();
    let expected = [
        ("institutions", "status", values(InstitutionStatus::ALL)),
        ("persons", "category", values(Category::ALL)),
        ("persons", "status", values(MembershipStatus::ALL)),
        ("accounts", "status", values(AccountStatus::ALL)),
        (
            "person_roles",
            "role",
            values(&[Role::Admin, Role::IbChair, Role::Publications]),
        ),
        ("invitations", "status", values(InvitationStatus::ALL)),
        ("invitations", "category", values(Category::ALL)),
        ("registrations", "state", values(RegistrationState::ALL)),
        ("registrations", "identity", values(IdentityKind::ALL)),
        ("registrations", "category", values(Category::ALL)),
        ("mail_outbox", "status", values(MailStatus::ALL)),
        ("affiliations", "kind", values(AffiliationKind::ALL)),
        ("affiliations", "category", values(Category::ALL)),
        ("affiliations", "end_reason", values(PeriodEnd::ALL)),
        ("transfers", "state", values(TransferState::ALL)),
        ("transfers", "category", values(Category::ALL)),
        ("author_exceptions", "kind", values(ExceptionKind::ALL)),
        ("author_lists", "state", values(AuthorListState::ALL)),
        (
            "mailing_lists",
            "subscribe_with",
            values(SubscribeWith::ALL),
        ),
        ("elections", "state", values(ElectionState::ALL)),
    ];
    for (table, column, values) in expected {
        let mut found = allowed(&mut conn, backend, table, column);
        found.sort();
        assert_eq!(found, values, "{table}.{column} on {backend:?}");
    }
}

/// Each CHECK list of the schema allows exactly the values of its enum in the shared crate.
#[test]
fn check_constraints_match_the_enums_sqlite() {
    checks_match_enums(Backend::Sqlite);
}

#[test]
fn check_constraints_match_the_enums_postgres() {
    checks_match_enums(Backend::Postgres);
}
