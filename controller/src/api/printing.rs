//! Ticket renderings (QR code, ticket image, ESC/POS bytes) and reprinting at the kiosk's
//! printer (the printing itself is [`crate::printing`]).

use super::auth::Principal;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::model::Ticket;
use crate::printing::{options, printer_of, reprint as print_again, view};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hallq_config::printers::{PrinterConf, PrinterKind};
use hallq_config::Role;
use hallq_ticket::{escpos, qr_png, ticket_png, Paper};

async fn ticket_of(state: &AppState, token: &str) -> ApiResult<(Ticket, i64)> {
    let (t, v) = state.status_of(token).await?;
    Ok((t, v["people_ahead"].as_i64().unwrap_or(0)))
}

fn png(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response()
}

/// Refuses `paper` and `qr` values the renderings do not know (422 `invalid_query`).
fn known_options(q: &std::collections::HashMap<String, String>) -> ApiResult<()> {
    let known =
        |key: &str, values: &[&str]| q.get(key).is_none_or(|v| values.contains(&v.as_str()));
    if known("paper", &["58mm", "80mm"]) && known("qr", &["native", "raster"]) {
        return Ok(());
    }
    Err(ApiError::unprocessable(
        "invalid_query",
        "paper 应为 58mm 或 80mm，qr 应为 native 或 raster / paper is 58mm|80mm, qr is native|raster",
    ))
}

fn render_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "render_failed",
        format!("无法生成号票图像 / cannot render: {e}"),
    )
}

/// GET /tickets/{token}/qr.png: the QR code of the status link. The token is the key.
#[utoipa::path(get, path = "/tickets/{token}/qr.png", operation_id = "ticket_qr", tag = "printing",
    summary = "the QR code of the ticket's status link",
    params(("token" = String, Path, description = "the ticket's secret token")),
    responses((status = 200, description = "PNG", content_type = "image/png", body = Vec<u8>),
        (status = 404, description = "ticket_not_found"),
        (status = 503, description = "render_failed, storage_unavailable")))]
pub async fn qr(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Response> {
    let (t, _) = ticket_of(&state, &token).await?;
    let url = crate::views::status_url(&state.cfg, &t.token);
    Ok(png(qr_png(&url, 8).map_err(render_error)?))
}

/// GET /tickets/{token}/ticket.png?paper=58mm|80mm: the ticket as an image.
#[utoipa::path(get, path = "/tickets/{token}/ticket.png", operation_id = "ticket_png", tag = "printing",
    summary = "the paper ticket as an image",
    params(("token" = String, Path, description = "the ticket's secret token"),
        ("paper" = Option<super::schema::PaperWidth>, Query, description = "paper width (default 80mm)")),
    responses((status = 200, description = "PNG", content_type = "image/png", body = Vec<u8>),
        (status = 404, description = "ticket_not_found"),
        (status = 422, description = "invalid_query: an unknown paper width"),
        (status = 503, description = "render_failed (e.g. no CJK font), storage_unavailable")))]
pub async fn image(
    State(state): State<AppState>,
    Path(token): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> ApiResult<Response> {
    known_options(&q)?;
    let (t, ahead) = ticket_of(&state, &token).await?;
    let paper = if q.get("paper").map(String::as_str) == Some("58mm") {
        Paper::Mm58
    } else {
        Paper::Mm80
    };
    let ticket = view(&state.cfg, &t, ahead);
    // Finding the fonts (first time) and drawing are blocking work.
    let drawn = tokio::task::spawn_blocking(move || {
        let font = state.font().map_err(render_error)?;
        ticket_png(&ticket, paper, &font).map_err(render_error)
    })
    .await
    .map_err(render_error)??;
    Ok(png(drawn))
}

/// GET /tickets/{token}/escpos?qr=native|raster&paper=…: the printer bytes.
#[utoipa::path(get, path = "/tickets/{token}/escpos", operation_id = "ticket_escpos", tag = "printing",
    summary = "the ticket as ESC/POS printer bytes",
    params(("token" = String, Path, description = "the ticket's secret token"),
        ("qr" = Option<super::schema::QrMode>, Query, description = "QR as the printer's own command (default) or as a raster image"),
        ("paper" = Option<super::schema::PaperWidth>, Query, description = "paper width (default 80mm)")),
    responses((status = 200, description = "ESC/POS bytes", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "ticket_not_found"),
        (status = 422, description = "invalid_query: an unknown paper width or QR mode"),
        (status = 503, description = "render_failed, storage_unavailable")))]
pub async fn bytes(
    State(state): State<AppState>,
    Path(token): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> ApiResult<Response> {
    known_options(&q)?;
    let (t, ahead) = ticket_of(&state, &token).await?;
    let conf = PrinterConf {
        id: "download".into(),
        kind: PrinterKind::Tcp,
        path: None,
        baud: None,
        address: None,
        paper: q.get("paper").cloned().unwrap_or_else(|| "80mm".into()),
        qr: q.get("qr").cloned().unwrap_or_else(|| "native".into()),
        cut: "partial".into(),
        status: "off".into(),
    };
    let b = escpos(&view(&state.cfg, &t, ahead), &options(&conf)).map_err(render_error)?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], b).into_response())
}

/// POST /tickets/{token}/reprint: prints again on the asking kiosk's printer, marked
/// "补打 / reprint" with the time of the reprint.
#[utoipa::path(post, path = "/tickets/{token}/reprint", operation_id = "reprint_ticket", tag = "printing",
    summary = "print the ticket again at the asking kiosk's printer",
    security(("device_token" = [])),
    params(("token" = String, Path, description = "the ticket's secret token")),
    responses((status = 200, description = "the ticket and the print's outcome", body = super::tickets::TicketIssued),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not a kiosk"),
        (status = 404, description = "ticket_not_found"),
        (status = 409, description = "no_printer"),
        (status = 503, description = "storage_unavailable")))]
pub async fn reprint(
    State(state): State<AppState>,
    who: Principal,
    Path(token): Path<String>,
) -> ApiResult<Json<super::tickets::TicketIssued>> {
    who.require(&[Role::Kiosk, Role::Admin])?;
    let (t, ahead) = ticket_of(&state, &token).await?;
    let conf = printer_of(&state.cfg, &who)
        .or_else(|| {
            state
                .cfg
                .printers
                .first()
                .filter(|_| who.role == Role::Admin)
        })
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "no_printer",
                "本终端未配置打印机 / no printer configured for this kiosk",
            )
        })?;
    let print = print_again(&state, &t, ahead, conf).await;
    Ok(Json(super::tickets::TicketIssued {
        ticket: crate::views::IssuedTicket::of(&state.cfg, &t, ahead),
        print,
    }))
}
