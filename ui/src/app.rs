//! The app: the filter every page shares, the pages, and the status bar.

use outreach_model::{CampaignId, Filter, Health, ReportView, Session, ViewSettings};
use time::Date;

use crate::api::DashboardApi;
use crate::fetch::{Fetch, Query};
use crate::theme;
use crate::views::campaign::CampaignDetail;
use crate::views::campaigns::Campaigns;
use crate::views::export_menu::ExportMenu;
use crate::views::filter_bar::FilterBar;
use crate::views::overview::Overview;
use crate::views::segments::Segments;
use crate::views::status_bar::StatusBar;

/// The pages a person moves between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageName {
    /// KPIs, trend, channels, best and worst campaigns.
    Overview,
    /// The table of campaigns.
    Campaigns,
    /// One campaign, opened from the table or the overview.
    Campaign,
    /// The segment drill-down.
    Segments,
}

/// Where the remembered view stands.
#[derive(Debug)]
enum Remembered {
    /// Not read yet: nothing is saved before it is, so a slow read cannot be overwritten.
    Reading,
    /// Read; the last settings saved (or read), to save only what changed.
    Kept(ViewSettings),
    /// Could not be read: the app keeps its defaults and never writes over the file.
    Unreadable(String),
}

/// Outreach Dashboard's view layer, over any [`DashboardApi`].
pub struct DashboardApp {
    api: Box<dyn DashboardApi>,
    today: Date,
    filter: Filter,
    page: PageName,
    filter_bar: FilterBar,
    overview: Overview,
    campaigns: Campaigns,
    campaign: Option<CampaignDetail>,
    segments: Segments,
    export_menu: ExportMenu,
    health: Query<(), Health>,
    status_bar: StatusBar,
    settings: Query<(), ViewSettings>,
    remembered: Remembered,
    saved: Fetch<()>,
    /// How the app is signed in (asked once, and again after a sign-in or sign-out).
    session: Query<(), Session>,
    /// A sign-in or sign-out in flight.
    signing: Fetch<Option<String>>,
    /// Whether the last frame showed the sign-in screen.
    signing_in: bool,
    /// Whether the theme's tokens were applied to egui's styles (on the first frame).
    themed: bool,
}

impl std::fmt::Debug for DashboardApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DashboardApp")
            .field("today", &self.today)
            .field("filter", &self.filter)
            .field("page", &self.page)
            .finish_non_exhaustive()
    }
}

impl DashboardApp {
    /// The app over `api`, on the last 30 days up to `today` (the shell passes the OS's date).
    pub fn new(api: Box<dyn DashboardApi>, today: Date) -> Self {
        DashboardApp {
            api,
            today,
            filter: ViewSettings::default().filter(today),
            page: PageName::Overview,
            filter_bar: FilterBar::default(),
            overview: Overview::default(),
            campaigns: Campaigns::default(),
            campaign: None,
            segments: Segments::default(),
            export_menu: ExportMenu::default(),
            health: Query::default(),
            status_bar: StatusBar::default(),
            settings: Query::default(),
            remembered: Remembered::Reading,
            saved: Fetch::default(),
            session: Query::default(),
            signing: Fetch::default(),
            signing_in: false,
            themed: false,
        }
    }

    /// Forgets every answer and asks again: after a sign-in or a sign-out, what was shown may
    /// not be what the next person may see.
    fn forget_answers(&mut self) {
        self.filter_bar = FilterBar::default();
        self.overview = Overview::default();
        self.campaigns = Campaigns::default();
        self.campaign = None;
        self.segments = Segments::default();
        self.export_menu = ExportMenu::default();
        self.health = Query::default();
        self.session = Query::default();
        self.page = PageName::Overview;
    }

    /// The sign-in screen: shown while an identity provider is configured and no one is
    /// signed in. `Some(true)` when it was shown, `None` while it is not yet known whether it
    /// is needed (nothing else is shown either way), `Some(false)` when the app goes on.
    fn sign_in_screen(&mut self, ui: &mut egui::Ui) -> Option<bool> {
        let api = self.api.as_ref();
        self.session.follow(ui.ctx(), &(), |()| api.session());
        self.signing.poll(ui.ctx());
        if let Some(Ok(_)) = self.signing.answer() {
            self.signing = Fetch::default();
            self.forget_answers();
            return None;
        }
        // Nothing is asked before it is known whether someone must sign in first.
        if self.session.fetch().answer().is_none() {
            ui.centered_and_justified(|ui| {
                ui.spinner();
            });
            return None;
        }
        let needed = self
            .session
            .ok()
            .is_some_and(|s| s.sign_in_configured && s.subject.is_none());
        if !needed {
            return Some(false);
        }
        let palette = theme::palette(ui.ctx());
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 4.0);
            ui.heading("Sign in to Outreach Dashboard");
            ui.add_space(theme::GAP);
            ui.label(
                "Your organisation signs you in: its sign-in page opens in your browser. When it says you are signed in, come back here.",
            );
            ui.add_space(theme::GAP);
            if self.signing.is_loading() {
                ui.spinner();
                ui.label("Waiting for the sign-in in your browser…");
            } else {
                if let Some(Err(err)) = self.signing.answer() {
                    ui.colored_label(palette.bad, &err.message);
                    ui.add_space(theme::GAP);
                }
                if ui.button("Sign in").clicked() {
                    let asked = api.sign_in();
                    self.signing
                        .ask(Box::pin(async move { asked.await.map(Some) }));
                    self.signing.poll(ui.ctx());
                }
            }
        });
        Some(true)
    }

    /// The filter every page shows.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// The page on screen.
    pub fn page(&self) -> PageName {
        self.page
    }

    /// The campaign whose page is open (or was last open), if any.
    pub fn campaign(&self) -> Option<CampaignId> {
        self.campaign.as_ref().map(CampaignDetail::campaign)
    }

    /// Whether a question of the page on screen (or of the status bar) is in flight: false
    /// once everything on screen is an answer or a failure.
    pub fn is_loading(&self) -> bool {
        let page = match self.page {
            PageName::Overview => self.overview.is_loading(),
            PageName::Campaigns => self.campaigns.is_loading(),
            PageName::Segments => self.segments.is_loading(),
            PageName::Campaign => self
                .campaign
                .as_ref()
                .is_some_and(CampaignDetail::is_loading),
        };
        page || self.health.is_loading()
            || self.export_menu.is_loading()
            || self.filter_bar.is_loading()
            || self.settings.is_loading()
            || self.saved.is_loading()
            || self.session.is_loading()
            || self.signing.is_loading()
    }

    /// Whether an answer of the page on screen (or of the status bar) is a failure.
    pub fn has_failed(&self) -> bool {
        let page = match self.page {
            PageName::Overview => self.overview.has_failed(),
            PageName::Campaigns => self.campaigns.has_failed(),
            PageName::Segments => self.segments.has_failed(),
            PageName::Campaign => self
                .campaign
                .as_ref()
                .is_some_and(CampaignDetail::has_failed),
        };
        page || self.health.failed() || self.filter_bar.has_failed()
    }

    /// The window's title: the app, the page, and whether answers are still coming or one
    /// failed. The webview mirrors it into `document.title`, where an end-to-end test
    /// (WebDriver) can read what it cannot see on the canvas.
    pub fn title(&self) -> String {
        if self.signing_in {
            let state = if self.signing.is_loading() {
                " (waiting for the browser)"
            } else if self.signing.failed() {
                " (failed)"
            } else {
                ""
            };
            return format!("Outreach Dashboard · Sign in{state}");
        }
        let page = match self.page {
            PageName::Overview => "Overview",
            PageName::Campaigns => "Campaigns",
            PageName::Campaign => "Campaign",
            PageName::Segments => "Segments",
        };
        let state = if self.is_loading() {
            " (loading)"
        } else if self.has_failed() {
            " (failed)"
        } else {
            ""
        };
        format!("Outreach Dashboard · {page}{state}")
    }

    /// Reads the remembered view once.
    fn remember(&mut self, ctx: &egui::Context) {
        let api = self.api.as_ref();
        self.settings.follow(ctx, &(), |()| api.settings());
        if let Remembered::Reading = self.remembered {
            match self.settings.fetch().answer() {
                Some(Ok(settings)) => {
                    self.filter = settings.filter(self.today);
                    self.remembered = Remembered::Kept(settings.clone());
                }
                Some(Err(err)) => self.remembered = Remembered::Unreadable(err.message.clone()),
                None => {}
            }
        }
        self.saved.poll(ctx);
    }

    /// Saves the filter when it changed: called after the views, so the save goes with the
    /// questions of the frame that changed it rather than a round trip after their answers.
    fn save_remembered(&mut self, ctx: &egui::Context) {
        if let Remembered::Kept(kept) = &mut self.remembered {
            let now = ViewSettings::remember(&self.filter, self.today);
            if *kept != now {
                self.saved.ask(self.api.save_settings(&now));
                *kept = now;
                // Sent now: a question leaves when it is first polled.
                self.saved.poll(ctx);
            }
        }
    }

    /// Why the view is not remembered, if it is not.
    fn remember_problem(&self) -> Option<String> {
        match (&self.remembered, self.saved.answer()) {
            (Remembered::Unreadable(why), _) => Some(why.clone()),
            (_, Some(Err(err))) => Some(format!(
                "Your filter could not be remembered: {}",
                err.message
            )),
            _ => None,
        }
    }

    /// Shows the whole app in `ui`.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if !self.themed {
            theme::apply(ui.ctx());
            self.themed = true;
        }
        self.remember(ui.ctx());
        // Nothing is asked before the remembered filter is known: the first questions are the
        // ones the person will see answered.
        if matches!(self.remembered, Remembered::Reading) {
            ui.centered_and_justified(|ui| {
                ui.spinner();
            });
            return;
        }
        let screen = self.sign_in_screen(ui);
        self.signing_in = screen == Some(true);
        if screen != Some(false) {
            return;
        }
        let problem = self.remember_problem();
        let api = self.api.as_ref();
        self.health.follow(ui.ctx(), &(), |()| api.health());
        egui::Panel::bottom("status bar").show(ui, |ui| {
            ui.add_space(4.0);
            if let Some(problem) = &problem {
                ui.colored_label(theme::palette(ui.ctx()).bad, problem);
            }
            let status_bar = &mut self.status_bar;
            crate::views::answer(ui, &mut self.health, "Retry the status", |ui, health| {
                status_bar.ui(ui, health);
            });
        });
        egui::Panel::top("navigation").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("Outreach Dashboard");
                ui.add_space(theme::GAP);
                for (page, label) in [
                    (PageName::Overview, "Overview"),
                    (PageName::Campaigns, "Campaigns"),
                    (PageName::Segments, "Segments"),
                ] {
                    ui.selectable_value(&mut self.page, page, label);
                }
                if self.campaign.is_some() {
                    ui.selectable_value(&mut self.page, PageName::Campaign, "Campaign");
                }
                ui.separator();
                let view = match self.page {
                    PageName::Overview => Some(self.overview.report_view()),
                    PageName::Campaigns => Some(self.campaigns.report_view()),
                    PageName::Segments => Some(ReportView::Segments),
                    PageName::Campaign => self.campaign.as_ref().map(CampaignDetail::report_view),
                };
                // A viewer may not export (the backend refuses it): the button is not shown.
                let may_export = self.session.ok().is_none_or(Session::may_export);
                if let Some(view) = view
                    && may_export
                {
                    self.export_menu.ui(ui, api, view, &self.filter);
                }
                if let Some(subject) = self.session.ok().and_then(|s| s.subject.clone()) {
                    ui.separator();
                    ui.label(format!("Signed in as {subject}"));
                    if ui.button("Sign out").clicked() {
                        let asked = api.sign_out();
                        self.signing
                            .ask(Box::pin(async move { asked.await.map(|()| None) }));
                        self.signing.poll(ui.ctx());
                    }
                }
            });
            self.filter_bar.ui(ui, api, &mut self.filter, self.today);
            ui.add_space(4.0);
        });
        let opened = match self.page {
            // The table scrolls itself, and lays out only the rows in view.
            PageName::Campaigns => self.campaigns.ui(ui, api, &self.filter),
            page => {
                egui::ScrollArea::vertical()
                    .auto_shrink(false)
                    .show(ui, |ui| match page {
                        PageName::Overview => self.overview.ui(ui, api, &self.filter),
                        PageName::Segments => {
                            self.segments.ui(ui, api, &self.filter);
                            None
                        }
                        PageName::Campaign | PageName::Campaigns => {
                            match self.campaign.as_mut() {
                                Some(detail) => detail.ui(ui, api, &self.filter),
                                None => crate::views::empty(ui, "Open a campaign from the table."),
                            }
                            None
                        }
                    })
                    .inner
            }
        };
        if let Some(campaign) = opened {
            if self.campaign() != Some(campaign) {
                self.campaign = Some(CampaignDetail::new(campaign));
            }
            self.page = PageName::Campaign;
            if let Some(detail) = self.campaign.as_mut() {
                detail.ask(ui.ctx(), api, &self.filter);
            }
        }
        self.save_remembered(ui.ctx());
    }
}
