//! GET /openapi.json: the contract as an OpenAPI 3.0 document.

use axum::Json;
use serde_json::{json, Value};

fn error_resp(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn ok(desc: &str, schema: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn window_action(summary: &str, body: Option<Value>) -> Value {
    let mut op = json!({
        "summary": summary,
        "security": [{"bearer": []}],
        "parameters": [{"name": "w", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {
            "200": ok("done", "WindowActionResult"),
            "401": error_resp("no or unknown token"),
            "403": error_resp("not this window's clerk"),
            "404": error_resp("unknown window / queue_empty / ticket_not_found"),
            "409": error_resp("window_paused, no_current_ticket, not_started, already_serving, ticket_not_waiting"),
            "422": error_resp("invalid body"),
        }
    });
    if let Some(schema) = body {
        op["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    json!({"post": op})
}

/// The document.
pub async fn document() -> Json<Value> {
    Json(json!({
        "openapi": "3.0.3",
        "info": {"title": "hallq controller", "version": "1", "description": "Tickets, windows and calls of a government service hall."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"], "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
                "Ticket": {"type": "object", "required": ["id", "number", "service", "kind", "status"], "properties": {
                    "id": {"type": "integer"}, "number": {"type": "string"}, "service": {"type": "string"},
                    "service_name": {"type": "string", "nullable": true},
                    "kind": {"type": "string", "enum": ["walk_in", "green", "appointment"]},
                    "status": {"type": "string", "enum": ["waiting", "called", "serving", "done", "no_show", "expired"]},
                    "token": {"type": "string"}, "status_url": {"type": "string"}, "people_ahead": {"type": "integer"},
                    "window": {"type": "string", "nullable": true}, "window_name": {"type": "string", "nullable": true},
                    "issued_at": {"type": "string", "format": "date-time"}, "called_at": {"type": "string", "format": "date-time", "nullable": true}}},
                "TicketCreated": {"type": "object", "required": ["ticket"], "properties": {"ticket": {"$ref": "#/components/schemas/Ticket"}}},
                "TicketStatus": {"allOf": [{"$ref": "#/components/schemas/Ticket"}, {"type": "object", "properties": {"estimated_wait_s": {"type": "integer", "nullable": true}}}]},
                "WindowActionResult": {"type": "object", "properties": {"ticket": {"allOf": [{"$ref": "#/components/schemas/Ticket"}], "nullable": true}, "window": {"type": "object"}}},
                "Services": {"type": "object", "required": ["sections"], "properties": {"sections": {"type": "array", "items": {"type": "object"}}}},
                "Snapshot": {"type": "object", "required": ["windows", "queues"], "properties": {"windows": {"type": "array", "items": {"type": "object"}}, "queues": {"type": "array", "items": {"type": "object"}}}},
            }
        },
        "paths": {
            "/health": {"get": {"summary": "liveness", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}}}},
            "/services": {"get": {"summary": "sections and services with waiting counts", "responses": {"200": ok("services", "Services")}}},
            "/snapshot": {"get": {"summary": "windows, current calls, queues", "security": [{"bearer": []}], "responses": {"200": ok("snapshot", "Snapshot"), "401": error_resp("no or unknown token")}}},
            "/tickets": {"post": {
                "summary": "issue a ticket (kiosk)", "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["service"], "properties": {"service": {"type": "string"}, "kind": {"type": "string", "enum": ["walk_in", "green"]}}}}}},
                "responses": {"201": ok("issued", "TicketCreated"), "400": error_resp("malformed JSON"), "401": error_resp("no or unknown token"), "403": error_resp("not a kiosk"),
                              "409": error_resp("hall_closed or daily_cap_reached"), "413": error_resp("body too large"), "422": error_resp("unknown_service or invalid body")}}},
            "/tickets/{token}": {"get": {"summary": "a ticket's status", "parameters": [{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": ok("status", "TicketStatus"), "404": error_resp("no such ticket")}}},
            "/auth/sign-in": {"post": {
                "summary": "staff sign-in: username + password (+ window for a clerk) → session token",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["username", "password"], "properties": {"username": {"type": "string"}, "password": {"type": "string"}, "window": {"type": "string"}}}}}},
                "responses": {"200": {"description": "signed in", "content": {"application/json": {"schema": {"type": "object", "required": ["token", "expires_at", "role"], "properties": {
                    "token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}, "role": {"type": "string"}, "window": {"type": "string", "nullable": true}, "name": {"type": "string"}}}}}},
                    "401": error_resp("wrong username or password"), "403": error_resp("may not work at that window"),
                    "422": error_resp("window_required, unknown_window or invalid body"), "429": error_resp("locked after too many attempts")}}},
            "/auth/sign-out": {"post": {"summary": "end the caller's staff session", "security": [{"bearer": []}], "responses": {"200": {"description": "signed out"}, "401": error_resp("no or ended session")}}},
            "/windows/{w}/call-next": window_action("finish the current ticket and call the next", None),
            "/windows/{w}/call": window_action("call a specific number", Some(json!({"type": "object", "required": ["number"], "properties": {"number": {"type": "string"}}}))),
            "/windows/{w}/recall": window_action("call the current ticket again", None),
            "/windows/{w}/no-show": window_action("the called person did not come", None),
            "/windows/{w}/start": window_action("start serving", None),
            "/windows/{w}/finish": window_action("finish serving", None),
            "/windows/{w}/pause": window_action("pause calling", Some(json!({"type": "object", "properties": {"reason": {"type": "string"}}}))),
            "/windows/{w}/resume": window_action("resume calling", None),
            "/windows/{w}/transfer": window_action("send the current ticket to another service or window", Some(json!({"type": "object", "properties": {"service": {"type": "string"}, "window": {"type": "string"}}}))),
        }
    }))
}
