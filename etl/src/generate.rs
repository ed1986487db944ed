//! Writes a synthetic warehouse (outreach-warehouse's `synthetic`) into PostgreSQL with COPY:
//! `outreach-etl generate`.

use outreach_warehouse::synthetic::{GenerateOptions, campaign_events, world};
use time::OffsetDateTime;

use crate::EtlError;
use crate::copy::CopyRows;
use crate::progress::Progress;

/// What [`to_warehouse`] wrote.
#[derive(Debug, Clone, Copy)]
pub struct Generated {
    /// Event rows written (copies included).
    pub events: u64,
    /// Members written (none when appending).
    pub members: usize,
    /// Campaigns written.
    pub campaigns: usize,
}

/// How [`to_warehouse`] treats what is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Create the warehouse; refuse if it already holds events.
    Create,
    /// Drop the warehouse schema and create it again.
    Replace,
    /// Keep everything and add the events that landed since the latest loaded_at there.
    Append,
}

/// Writes the world into a PostgreSQL warehouse with COPY; generation runs on its own thread
/// while the server ingests.
pub async fn to_warehouse(
    url: &str,
    options: &GenerateOptions,
    mode: Mode,
    progress: &dyn Progress,
) -> Result<Generated, crate::EtlError> {
    let mut conn = crate::connect("warehouse", url).await?;
    let has_events: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables
                        WHERE table_schema = 'warehouse' AND table_name = 'outreach_events')",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(EtlError::warehouse("looking for an existing warehouse"))?;
    match mode {
        Mode::Create if has_events => {
            return Err(EtlError::Data(
                "the warehouse already has warehouse.outreach_events; pass --replace to start again or --append to add the next events".into(),
            ));
        }
        Mode::Append if !has_events => {
            return Err(EtlError::Data(
                "there is no warehouse to append to; generate one first".into(),
            ));
        }
        Mode::Replace => {
            sqlx::raw_sql("DROP SCHEMA IF EXISTS warehouse CASCADE")
                .execute(&mut conn)
                .await
                .map_err(EtlError::warehouse("dropping the old warehouse"))?;
        }
        _ => {}
    }
    sqlx::raw_sql(outreach_warehouse::source::WAREHOUSE_DDL)
        .execute(&mut conn)
        .await
        .map_err(EtlError::warehouse("creating the warehouse tables"))?;
    let since: Option<OffsetDateTime> = if mode == Mode::Append {
        sqlx::query_scalar("SELECT max(loaded_at) FROM warehouse.outreach_events")
            .fetch_one(&mut conn)
            .await
            .map_err(EtlError::warehouse("reading the latest loaded_at"))?
    } else {
        None
    };

    let world = world(options);
    let mut tx = sqlx::Connection::begin(&mut conn)
        .await
        .map_err(EtlError::warehouse("starting the load"))?;
    if mode != Mode::Append {
        let mut rows = CopyRows::default();
        for m in &world.members {
            rows.text(&m.member_id)
                .text(&m.first_name)
                .text(&m.last_name)
                .text(&m.email)
                .text(&m.phone)
                .plain(m.date_of_birth)
                .text(&m.gender)
                .text(&m.state)
                .text(&m.plan_type)
                .text(&m.risk_tier)
                .instant(options.as_of);
            rows.end_row();
        }
        rows.copy_into(&mut tx, "COPY warehouse.members FROM STDIN")
            .await
            .map_err(EtlError::warehouse("writing members"))?;
    }
    sqlx::raw_sql("DELETE FROM warehouse.campaigns; DELETE FROM warehouse.injected_anomalies;")
        .execute(&mut *tx)
        .await
        .map_err(EtlError::warehouse("clearing campaigns"))?;
    let mut rows = CopyRows::default();
    for c in &world.campaigns {
        rows.plain(c.campaign_id)
            .text(&c.campaign_name)
            .text(&c.campaign_type)
            .plain(c.channel)
            .plain(c.start_date)
            .optional(c.end_date)
            .plain(c.status)
            .instant(c.updated_at);
        rows.end_row();
    }
    rows.copy_into(&mut tx, "COPY warehouse.campaigns FROM STDIN")
        .await
        .map_err(EtlError::warehouse("writing campaigns"))?;
    let mut rows = CopyRows::default();
    for a in &world.anomalies {
        rows.plain(a.campaign_id)
            .plain(a.anomaly_type)
            .plain(a.start_date)
            .plain(a.end_date);
        rows.end_row();
    }
    rows.copy_into(&mut tx, "COPY warehouse.injected_anomalies FROM STDIN")
        .await
        .map_err(EtlError::warehouse("writing injected anomalies"))?;

    // Generate on a thread of its own, a campaign per buffer, while the server ingests.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<(CopyRows, u64)>(4);
    let producer_world = world.clone();
    let producer_options = options.clone();
    let producer = std::thread::spawn(move || {
        for index in 0..producer_world.campaigns.len() {
            let mut rows = CopyRows::default();
            let mut count = 0u64;
            campaign_events(&producer_world, &producer_options, index, since, &mut |e| {
                rows.plain(e.event_id)
                    .plain(e.campaign_id)
                    .text(&e.member_id)
                    .plain(e.message_id)
                    .text(&e.event_type)
                    .instant(e.event_ts)
                    .instant(e.loaded_at)
                    .plain(e.is_machine_open)
                    .optional_text(e.reply_text.as_deref());
                rows.end_row();
                count += 1;
            });
            if sender.blocking_send((rows, count)).is_err() {
                return;
            }
        }
    });
    let mut copy = tx
        .copy_in_raw("COPY warehouse.outreach_events FROM STDIN")
        .await
        .map_err(EtlError::warehouse("starting to write events"))?;
    let mut events = 0u64;
    progress.length(world.campaigns.len() as u64);
    while let Some((rows, count)) = receiver.recv().await {
        copy.send(rows.into_bytes())
            .await
            .map_err(EtlError::warehouse("writing events"))?;
        events += count;
        progress.advance(1);
    }
    copy.finish()
        .await
        .map_err(EtlError::warehouse("writing events"))?;
    let _ = producer.join();
    tx.commit()
        .await
        .map_err(EtlError::warehouse("committing the warehouse"))?;

    if mode != Mode::Append {
        progress.stage("indexing");
        for statement in outreach_warehouse::source::WAREHOUSE_INDEXES {
            sqlx::query(*statement)
                .execute(&mut conn)
                .await
                .map_err(EtlError::warehouse("indexing events"))?;
        }
    }
    // As the warehouse's own upkeep (autovacuum) would in time: statistics, and the hint bits
    // and visibility map that spare the first reader from writing every page it reads.
    // (VACUUM runs outside a transaction block: one statement per call.)
    for table in [
        "VACUUM ANALYZE warehouse.outreach_events",
        "VACUUM ANALYZE warehouse.members",
        "VACUUM ANALYZE warehouse.campaigns",
    ] {
        sqlx::raw_sql(table)
            .execute(&mut conn)
            .await
            .map_err(EtlError::warehouse("vacuuming and analyzing the warehouse"))?;
    }
    progress.finished(true);
    Ok(Generated {
        events,
        members: if mode == Mode::Append {
            0
        } else {
            world.members.len()
        },
        campaigns: world.campaigns.len(),
    })
}
