//! No warehouse PII value appears anywhere in the dashboard database.

use outreach_testkit::TestDb;
use sqlx::Row;

use crate::helpers::*;

#[tokio::test]
async fn no_name_email_phone_birth_date_or_member_id_reaches_the_dashboard() {
    let warehouse = warehouse(&options(3_000, 20, 60, 91)).await;
    let dashboard = TestDb::new("dashboard").await;
    etl(&warehouse, &dashboard, false, None).await;
    let mut wh = warehouse.connect().await;
    let members = read_members(&mut wh).await;

    // Whole values that are identifying on their own (full names, emails, phones, member ids)
    // must not appear inside any text; single first or last names must not be a whole value.
    let mut contained: Vec<String> = Vec::new();
    let mut whole: Vec<String> = Vec::new();
    for m in &members {
        contained.push(format!("{} {}", m.first_name, m.last_name));
        contained.push(m.email.clone());
        contained.push(m.phone.clone());
        contained.push(m.member_id.clone());
        whole.push(m.first_name.clone());
        whole.push(m.last_name.clone());
        whole.push(m.date_of_birth.to_string());
    }
    let no_dates: Vec<String> = Vec::new();
    let mut db = dashboard.connect().await;
    let columns = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = 'public'",
    )
    .fetch_all(&mut db)
    .await
    .expect("list columns");
    let mut searched = 0;
    for column in &columns {
        let (table, name, data_type): (String, String, String) =
            (column.get(0), column.get(1), column.get(2));
        // A date column holds dates of events, not of births; a coinciding day identifies nobody.
        let (text, wholes) = match data_type.as_str() {
            "text" | "character varying" => (name.clone(), &whole),
            "bytea" => (format!("encode({name}, 'escape')"), &whole),
            "date" | "timestamp with time zone" => (format!("{name}::text"), &no_dates),
            _ => (format!("{name}::text"), &whole),
        };
        let sql = format!(
            "SELECT count(*) FROM {table} t
             WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p(v) WHERE strpos({text}, p.v) > 0)
                OR {text} = ANY($2)"
        );
        let hits: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(&contained)
            .bind(wholes)
            .fetch_one(&mut db)
            .await
            .expect("search a column");
        assert_eq!(hits, 0, "{table}.{name} holds a warehouse PII value");
        searched += 1;
    }
    assert!(searched > 40, "every column was searched: {searched}");
    // The search itself finds what it looks for.
    let control: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM unnest($1::text[]) AS p(v) WHERE strpos('x ' || $2 || ' y', p.v) > 0",
    )
    .bind(&contained)
    .bind(&members[0].email)
    .fetch_one(&mut db)
    .await
    .expect("control search");
    assert!(control >= 1);
}
