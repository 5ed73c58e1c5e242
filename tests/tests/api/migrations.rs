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
