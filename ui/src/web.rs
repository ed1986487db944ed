//! In the webview: the questions cross Tauri's IPC, and eframe's web runner draws the app on
//! the page's canvas.

use outreach_model::{
    ApiError, CampaignId, CampaignMetrics, CampaignNames, CampaignOrder, CampaignPage, DateRange,
    ErrorCode, ExportOutcome, ExportRequest, Filter, Health, Interval, Metric, Page, Ranking,
    SegmentReport, Session, Summary, Trend, ViewSettings,
};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::api::{ApiFuture, DashboardApi};
use crate::app::DashboardApp;

#[wasm_bindgen]
extern "C" {
    /// Tauri's `invoke` (the shell sets `app.withGlobalTauri`): resolves to the command's
    /// answer, rejects with its `{code, message}` error.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(command: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// `DashboardApi` over Tauri's IPC: one command per question, named as the question.
#[derive(Debug, Default)]
pub struct Ipc;

#[derive(serde::Serialize)]
struct FilterArgs<'a> {
    filter: &'a Filter,
}

#[derive(serde::Serialize)]
struct TrendArgs<'a> {
    filter: &'a Filter,
    metric: Metric,
    interval: Interval,
}

#[derive(serde::Serialize)]
struct CampaignsArgs<'a> {
    filter: &'a Filter,
    search: Option<&'a str>,
    order: CampaignOrder,
    page: Page,
}

#[derive(serde::Serialize)]
struct NamesArgs<'a> {
    range: DateRange,
    search: Option<&'a str>,
    chosen: &'a [CampaignId],
    page: Page,
}

#[derive(serde::Serialize)]
struct RangeArgs {
    range: DateRange,
}

#[derive(serde::Serialize)]
struct RankingArgs<'a> {
    filter: &'a Filter,
    metric: Metric,
    count: u32,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct CampaignMetricsArgs {
    campaign_id: CampaignId,
    range: DateRange,
    interval: Interval,
}

#[derive(serde::Serialize)]
struct ExportArgs<'a> {
    request: &'a ExportRequest,
}

#[derive(serde::Serialize)]
struct SettingsArgs<'a> {
    settings: &'a ViewSettings,
}

/// The arguments of a command as JavaScript, as JSON would write them (an absent option is
/// `null`, which the shell reads as "none", not a missing argument).
fn to_js(args: &impl serde::Serialize) -> Result<JsValue, serde_wasm_bindgen::Error> {
    args.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
}

fn call<T: DeserializeOwned + 'static>(
    command: &'static str,
    args: Result<JsValue, serde_wasm_bindgen::Error>,
) -> ApiFuture<T> {
    Box::pin(async move {
        let args = args.map_err(|err| {
            ApiError::new(
                ErrorCode::Internal,
                format!("the question {command} could not be sent ({err})"),
            )
        })?;
        let answer = tauri_invoke(command, args).await.map_err(|rejected| {
            serde_wasm_bindgen::from_value::<ApiError>(rejected.clone()).unwrap_or_else(|_| {
                ApiError::new(
                    ErrorCode::Internal,
                    format!("the app's backend did not answer {command}: {rejected:?}"),
                )
            })
        })?;
        serde_wasm_bindgen::from_value(answer).map_err(|err| {
            ApiError::new(
                ErrorCode::Internal,
                format!("the answer to {command} could not be read ({err})"),
            )
        })
    })
}

impl DashboardApi for Ipc {
    fn summary(&self, filter: &Filter) -> ApiFuture<Summary> {
        call("summary", to_js(&FilterArgs { filter }))
    }

    fn trend(&self, filter: &Filter, metric: Metric, interval: Interval) -> ApiFuture<Trend> {
        let args = TrendArgs {
            filter,
            metric,
            interval,
        };
        call("trend", to_js(&args))
    }

    fn campaigns(
        &self,
        filter: &Filter,
        search: Option<&str>,
        order: CampaignOrder,
        page: Page,
    ) -> ApiFuture<CampaignPage> {
        let args = CampaignsArgs {
            filter,
            search,
            order,
            page,
        };
        call("campaigns", to_js(&args))
    }

    fn campaign_names(
        &self,
        range: DateRange,
        search: Option<&str>,
        chosen: &[CampaignId],
        page: Page,
    ) -> ApiFuture<CampaignNames> {
        let args = NamesArgs {
            range,
            search,
            chosen,
            page,
        };
        call("campaign_names", to_js(&args))
    }

    fn campaign_types(&self, range: DateRange) -> ApiFuture<Vec<String>> {
        call("campaign_types", to_js(&RangeArgs { range }))
    }

    fn ranking(&self, filter: &Filter, metric: Metric, count: u32) -> ApiFuture<Ranking> {
        let args = RankingArgs {
            filter,
            metric,
            count,
        };
        call("ranking", to_js(&args))
    }

    fn campaign_metrics(
        &self,
        campaign: CampaignId,
        range: DateRange,
        interval: Interval,
    ) -> ApiFuture<CampaignMetrics> {
        let args = CampaignMetricsArgs {
            campaign_id: campaign,
            range,
            interval,
        };
        call("campaign_metrics", to_js(&args))
    }

    fn segments(&self, filter: &Filter) -> ApiFuture<SegmentReport> {
        call("segments", to_js(&FilterArgs { filter }))
    }

    fn health(&self) -> ApiFuture<Health> {
        call("health", Ok(JsValue::UNDEFINED))
    }

    fn settings(&self) -> ApiFuture<ViewSettings> {
        call("settings", Ok(JsValue::UNDEFINED))
    }

    fn save_settings(&self, settings: &ViewSettings) -> ApiFuture<()> {
        call("save_settings", to_js(&SettingsArgs { settings }))
    }

    fn export(&self, request: &ExportRequest) -> ApiFuture<ExportOutcome> {
        call("export", to_js(&ExportArgs { request }))
    }

    fn session(&self) -> ApiFuture<Session> {
        call("session", Ok(JsValue::UNDEFINED))
    }

    fn sign_in(&self) -> ApiFuture<String> {
        call("sign_in", Ok(JsValue::UNDEFINED))
    }

    fn sign_out(&self) -> ApiFuture<()> {
        call("sign_out", Ok(JsValue::UNDEFINED))
    }
}

/// The app as eframe sees it, and the title last written to the page.
struct WebApp(DashboardApp, String);

impl eframe::App for WebApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::Frame::central_panel(ui.style()).show(ui, |ui| {
            // The page's background reaches the window's edges, however short the page.
            ui.set_min_size(ui.available_size());
            self.0.ui(ui);
        });
        // The page's idle.js lets the runner's frame requests rest a second after the last
        // frame drawn (this one).
        if let Some(window) = web_sys::window() {
            let now = window.performance().map_or(0.0, |p| p.now());
            let _ = js_sys::Reflect::set(&window, &"__outreachPainted".into(), &now.into());
        }
        let title = self.0.title();
        if title != self.1 {
            if let Some(document) = web_sys::window().and_then(|window| window.document()) {
                document.set_title(&title);
            }
            self.1 = title;
        }
    }
}

/// Today in the user's time zone, from the browser's clock.
fn today() -> time::Date {
    let now = js_sys::Date::new_0();
    let month = time::Month::try_from(now.get_month() as u8 + 1).unwrap_or(time::Month::January);
    time::Date::from_calendar_date(now.get_full_year() as i32, month, now.get_date() as u8)
        .unwrap_or(time::Date::MIN)
}

/// Creates the canvas's WebGL 2 context before eframe asks for it (a canvas keeps its first
/// context, whatever a later `getContext` asks), without what WebGL gives by default and egui
/// does not use: multisampling (egui feathers its own edges), a depth and a stencil buffer.
/// Where the webview rasterises on the CPU (WebKitGTK without a GPU), a multisampled
/// 1280×800 frame was most of each change's time.
fn claim_webgl_context(canvas: &web_sys::HtmlCanvasElement) {
    let options = js_sys::Object::new();
    for (name, value) in [("antialias", false), ("depth", false), ("stencil", false)] {
        let _ = js_sys::Reflect::set(&options, &name.into(), &value.into());
    }
    if let Err(err) = canvas.get_context_with_context_options("webgl2", &options) {
        web_sys::console::warn_2(&"Outreach Dashboard: no WebGL 2 context:".into(), &err);
    }
}

/// Starts the app on the page's `<canvas id="dashboard">` (called by the module's `init`).
#[wasm_bindgen(start)]
pub fn start() {
    wasm_bindgen_futures::spawn_local(async {
        let canvas = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.get_element_by_id("dashboard"))
            .and_then(|element| element.dyn_into::<web_sys::HtmlCanvasElement>().ok());
        let Some(canvas) = canvas else {
            web_sys::console::error_1(
                &"Outreach Dashboard: the page has no canvas #dashboard".into(),
            );
            return;
        };
        claim_webgl_context(&canvas);
        let started = eframe::WebRunner::new()
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(|_| {
                    let app = DashboardApp::new(Box::new(Ipc), today());
                    Ok(Box::new(WebApp(app, String::new())))
                }),
            )
            .await;
        if let Err(err) = started {
            web_sys::console::error_2(&"Outreach Dashboard could not start:".into(), &err);
        }
    });
}
