//! The app: the filter, the pages, and the questions they ask.

use outreach_model::{DateRange, Filter, Health, Summary, Trend};
use time::Date;

use crate::api::DashboardApi;
use crate::fetch::Fetch;
use crate::theme;
use crate::views::filter_bar::FilterBar;
use crate::views::overview::Overview;
use crate::views::status_bar::StatusBar;
use crate::views::trend::{TrendChart, TrendChoice};

/// Outreach Dashboard's view layer, over any [`DashboardApi`].
pub struct DashboardApp {
    api: Box<dyn DashboardApi>,
    today: Date,
    filter: Filter,
    /// The filter the summary on screen (or in flight) answers.
    asked: Option<Filter>,
    summary: Fetch<Summary>,
    /// The filter and choice the trend on screen (or in flight) answers.
    trend_asked: Option<(Filter, TrendChoice)>,
    trend: Fetch<Trend>,
    health: Fetch<Health>,
    filter_bar: FilterBar,
    overview: Overview,
    trend_chart: TrendChart,
    status_bar: StatusBar,
}

impl std::fmt::Debug for DashboardApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DashboardApp")
            .field("today", &self.today)
            .field("filter", &self.filter)
            .finish_non_exhaustive()
    }
}

impl DashboardApp {
    /// The app over `api`, on the last 30 days up to `today` (the shell passes the OS's date).
    pub fn new(api: Box<dyn DashboardApi>, today: Date) -> Self {
        let health = {
            let mut fetch = Fetch::default();
            fetch.ask(api.health());
            fetch
        };
        DashboardApp {
            api,
            today,
            filter: Filter::new(DateRange::last_days(today, 30)),
            asked: None,
            summary: Fetch::default(),
            trend_asked: None,
            trend: Fetch::default(),
            health,
            filter_bar: FilterBar::default(),
            overview: Overview::default(),
            trend_chart: TrendChart::default(),
            status_bar: StatusBar::default(),
        }
    }

    /// The filter every page shows.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Shows the whole app in `ui`.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let Self {
            api,
            today,
            filter,
            asked,
            summary,
            trend_asked,
            trend,
            health,
            filter_bar,
            overview,
            trend_chart,
            status_bar,
        } = self;
        let ctx = ui.ctx().clone();
        if asked.as_ref() != Some(filter) {
            summary.ask(api.summary(filter));
            *asked = Some(filter.clone());
        }
        let wanted = (filter.clone(), trend_chart.choice);
        if trend_asked.as_ref() != Some(&wanted) {
            trend.ask(api.trend(filter, wanted.1.metric, wanted.1.interval));
            *trend_asked = Some(wanted);
        }
        summary.poll(&ctx);
        trend.poll(&ctx);
        health.poll(&ctx);

        ui.heading("Outreach Dashboard");
        filter_bar.ui(ui, filter, *today);
        ui.separator();
        if answer_ui(ui, summary, "Retry", |ui, answer| overview.ui(ui, answer)) {
            *asked = None;
        }
        ui.add_space(theme::GAP);
        trend_chart.controls_ui(ui);
        if answer_ui(ui, trend, "Retry the trend", |ui, answer| {
            trend_chart.chart_ui(ui, answer);
        }) {
            *trend_asked = None;
        }
        ui.add_space(theme::GAP);
        ui.separator();
        match health.answer() {
            Some(Ok(answer)) => status_bar.ui(ui, answer),
            Some(Err(err)) => {
                ui.colored_label(theme::palette(&ctx).bad, &err.message);
            }
            None => {
                ui.spinner();
            }
        }
    }
}

/// Shows a fetch: its answer with `show`, or its failure with a retry button, or a spinner
/// before the first answer (and beside an answer while the next loads). Returns whether the
/// person asked to retry.
fn answer_ui<T>(
    ui: &mut egui::Ui,
    fetch: &Fetch<T>,
    retry: &str,
    show: impl FnOnce(&mut egui::Ui, &T),
) -> bool {
    let mut retried = false;
    match fetch.answer() {
        Some(Ok(answer)) => show(ui, answer),
        Some(Err(err)) => {
            ui.colored_label(theme::palette(ui.ctx()).bad, &err.message);
            retried = ui.button(retry).clicked();
        }
        None => {
            ui.spinner();
        }
    }
    if fetch.is_loading() && fetch.answer().is_some() {
        ui.spinner();
    }
    retried
}
