//! `r.email` and `r.email.webhooks`: the project's mailbox
//! (`<slug>@mail.run402.com`), sending in template or raw mode, reading
//! what was sent and received (raw RFC 822 bytes included), and webhooks for
//! mail events. Every request carries the service key.
//!
//! Most members work on "the project's mailbox", which the caller never
//! names: [`run`] finds it (the provider's cached `mailbox_id`, else the
//! first one the gateway lists, then cached with `updateProject`) and hands
//! its id and the service key to the member's declared route as two extra
//! arguments. So the wire of those members stays data; the lookup, and the
//! members that are more than one request, are one state machine on the
//! shared driver ([`steps`]).

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::{LocalFuture, ProviderMethod};
use crate::error::{Error, ErrorKind, Result};
use crate::json::{Json, JsonExt, Native, Shape};
use crate::kernel::{Call, Kernel, ReadAs};
use crate::namespaces::steps::{self, Got, Steps, Waits};
use crate::routes::{self, field, Auth, Key, Kind, Out, Route, RouteBody, Src, SERVICE_GET};
use crate::surface::{call_opts, opt, req, req_call_opts, Method, Namespace, Param, Run, Scope, PROJECT_ID};
use crate::value::Val;

/// Where [`run`] puts the resolved mailbox id and the service key:
/// argument slots past every member's own parameters.
const KEY: usize = 8;
const MAILBOX: usize = 9;

/// The mailbox members' auth: the service key the lookup read (argument
/// [`KEY`]) as bearer, provider headers merged (SK+P), so the provider's
/// `getProject` is asked once per call.
const MAILBOX_AUTH: Auth = Auth { apikey: Key::None, bearer: Key::Token(Src::Arg(KEY)), provider: true };

/// `GET /mailboxes/v1/{mailbox}/messages`; the other mailbox routes vary it.
const MESSAGES: Route = Route { path: "/mailboxes/v1/{9:raw}/messages", auth: MAILBOX_AUTH, ..SERVICE_GET };
const WEBHOOKS: Route = Route { path: "/mailboxes/v1/{9:raw}/webhooks", ..MESSAGES };
const WEBHOOK: Route = Route { path: "/mailboxes/v1/{9:raw}/webhooks/{1:raw}", ..MESSAGES };

/// The templates the gateway renders (contract §1.16).
const TEMPLATES: &[&str] = &["project_invite", "magic_link", "notification"];
/// The mail events a webhook can subscribe to.
const EVENTS: &[&str] = &["delivery", "bounced", "complained", "reply_received"];

/// Template mode: `{to, template, variables, from_name?, in_reply_to?}`.
const SEND_TEMPLATE: Route = Route {
    verb: "POST",
    body: RouteBody::Fields(&[
        field("to", Src::Opt(1, "to"), Kind::Str),
        field("template", Src::Opt(1, "template"), Kind::OneOf(TEMPLATES)),
        field("variables", Src::Opt(1, "variables"), Kind::OptJson),
        field("from_name", Src::Opt(1, "from_name"), Kind::OptStr),
        field("in_reply_to", Src::Opt(1, "in_reply_to"), Kind::OptStr),
    ]),
    ..MESSAGES
};
/// Raw mode: `{to, subject, html, text?, from_name?, in_reply_to?}`.
const SEND_RAW: Route = Route {
    body: RouteBody::Fields(&[
        field("to", Src::Opt(1, "to"), Kind::Str),
        field("subject", Src::Opt(1, "subject"), Kind::Str),
        field("html", Src::Opt(1, "html"), Kind::Str),
        field("text", Src::Opt(1, "text"), Kind::OptStr),
        field("from_name", Src::Opt(1, "from_name"), Kind::OptStr),
        field("in_reply_to", Src::Opt(1, "in_reply_to"), Kind::OptStr),
    ]),
    ..SEND_TEMPLATE
};
const LIST: Route = Route {
    query: &[field("limit", Src::Opt(1, "limit"), Kind::OptPosInt), field("after", Src::Opt(1, "after"), Kind::OptStr)],
    ..MESSAGES
};
const GET: Route = Route { path: "/mailboxes/v1/{9:raw}/messages/{1:raw}", ..MESSAGES };
const DELETE_WEBHOOK: Route = Route { verb: "DELETE", result: Out::Void, ..WEBHOOK };
const DELETE_MAILBOX: Route = Route { verb: "DELETE", path: "/mailboxes/v1/{9:raw}", ..MESSAGES };
/// `{url, events}` on register; either or both on update (only if given).
const REGISTER: Route = Route {
    verb: "POST",
    body: RouteBody::Fields(&[field("url", Src::Opt(1, "url"), Kind::Str), field("events", Src::Opt(1, "events"), Kind::OptJson)]),
    ..WEBHOOKS
};
const UPDATE: Route = Route {
    verb: "PATCH",
    body: RouteBody::Fields(&[field("url", Src::Opt(2, "url"), Kind::OptStr), field("events", Src::Opt(2, "events"), Kind::OptJson)]),
    ..WEBHOOK
};

const MESSAGE_ID: Param = req("messageId", "string");
const WEBHOOK_ID: Param = req("webhookId", "string");

pub const NAMESPACE: Namespace = Namespace {
    name: "email",
    ts_name: "Email",
    doc: crate::ts!("The project's mailbox: send (template or raw), list, read (raw MIME too), and its webhooks."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "createMailbox",
            aliases: &["create"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("slug", "string")],
            returns: crate::ts!("CreateMailboxResult"),
            scope: Scope::Project,
            context: "creating mailbox",
            doc: crate::ts!("Create the project's mailbox at `<slug>@mail.run402.com` (slug 3-63 of a-z, 0-9 and single hyphens, checked locally). Idempotent: if the gateway answers 409, the existing mailbox is returned. Cached with the provider's `updateProject`."),
            http: crate::ts!("POST /mailboxes/v1 · service key (on 409: GET /mailboxes/v1)"),
            run: Run::Code(create_mailbox),
        },
        Method {
            name: "send",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "SendEmailOptions")],
            returns: crate::ts!("SendEmailResult"),
            scope: Scope::Project,
            context: "sending email",
            doc: crate::ts!("Send one email from the project's mailbox: a template with its variables, or raw mode with `subject` + `html` (exactly one mode, checked locally)."),
            http: crate::ts!("POST /mailboxes/v1/{mailbox}/messages · service key"),
            run: Run::Code(send),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, call_opts("opts", "ListEmailsOptions")],
            returns: crate::ts!("EmailSummary[]"),
            scope: Scope::Project,
            context: "listing emails",
            doc: crate::ts!("The mailbox's messages, oldest first; `limit` and the `after` cursor (a message id) page through them."),
            http: crate::ts!("GET /mailboxes/v1/{mailbox}/messages?limit&after · service key"),
            run: Run::Code(list),
        },
        Method {
            name: "get",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, MESSAGE_ID],
            returns: crate::ts!("EmailDetail"),
            scope: Scope::Project,
            context: "getting email",
            doc: crate::ts!("One message with its variables and the replies it received."),
            http: crate::ts!("GET /mailboxes/v1/{mailbox}/messages/{messageId} · service key"),
            run: Run::Code(get),
        },
        Method {
            name: "getRaw",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, MESSAGE_ID],
            returns: crate::ts!("RawEmailResult"),
            scope: Scope::Project,
            context: "fetching raw MIME",
            doc: crate::ts!("The raw RFC 822 bytes of a received message (a reply's id), with the response's content type (`message/rfc822` when it sends none)."),
            http: crate::ts!("GET /mailboxes/v1/{mailbox}/messages/{messageId}/raw · service key only (no provider headers)"),
            run: Run::Code(get_raw),
        },
        Method {
            name: "getMailbox",
            aliases: &["status", "info"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
            returns: crate::ts!("MailboxInfo"),
            scope: Scope::Project,
            context: "getting mailbox",
            doc: crate::ts!("The project's mailbox, always asked of the gateway (the cache is refreshed with `updateProject`)."),
            http: crate::ts!("GET /mailboxes/v1 · service key"),
            run: Run::Code(get_mailbox),
        },
        Method {
            name: "deleteMailbox",
            aliases: &["delete"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, opt("mailboxId", "string")],
            returns: crate::ts!("DeleteMailboxResult"),
            scope: Scope::Project,
            context: "deleting mailbox",
            doc: crate::ts!("Delete a mailbox with its messages and webhooks: `mailboxId`, else the cached one, else the first listed. Clears the provider's cached mailbox fields."),
            http: crate::ts!("DELETE /mailboxes/v1/{mailbox} · service key"),
            run: Run::Code(delete_mailbox),
        },
    ],
};

/// `r.email.webhooks`: mail event subscriptions on the project's mailbox.
pub const WEBHOOKS_NAMESPACE: Namespace = Namespace {
    name: "email.webhooks",
    ts_name: "EmailWebhooks",
    doc: crate::ts!("Webhooks for the mailbox's mail events: delivery, bounced, complained, reply_received."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(WEBHOOK_TYPES),
    methods: &[
        Method {
            name: "register",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "RegisterWebhookOptions")],
            returns: crate::ts!("MailboxWebhookSummary"),
            scope: Scope::Project,
            context: "registering webhook",
            doc: crate::ts!("Subscribe an http(s) URL to mail events (a non-empty list of delivery, bounced, complained, reply_received; checked locally)."),
            http: crate::ts!("POST /mailboxes/v1/{mailbox}/webhooks · service key"),
            run: Run::Code(register),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
            returns: crate::ts!("MailboxWebhooksResult"),
            scope: Scope::Project,
            context: "listing webhooks",
            doc: crate::ts!("The mailbox's webhooks."),
            http: crate::ts!("GET /mailboxes/v1/{mailbox}/webhooks · service key"),
            run: Run::Code(list_webhooks),
        },
        Method {
            name: "get",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, WEBHOOK_ID],
            returns: crate::ts!("MailboxWebhookSummary"),
            scope: Scope::Project,
            context: "getting webhook",
            doc: crate::ts!("One webhook."),
            http: crate::ts!("GET /mailboxes/v1/{mailbox}/webhooks/{webhookId} · service key"),
            run: Run::Code(get_webhook),
        },
        Method {
            name: "update",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, WEBHOOK_ID, req_call_opts("opts", "UpdateWebhookOptions")],
            returns: crate::ts!("MailboxWebhookSummary"),
            scope: Scope::Project,
            context: "updating webhook",
            doc: crate::ts!("Change a webhook's URL and/or events (at least one, checked before anything is sent)."),
            http: crate::ts!("PATCH /mailboxes/v1/{mailbox}/webhooks/{webhookId} · service key"),
            run: Run::Code(update),
        },
        Method {
            name: "delete",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, WEBHOOK_ID],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "deleting webhook",
            doc: crate::ts!("Delete a webhook."),
            http: crate::ts!("DELETE /mailboxes/v1/{mailbox}/webhooks/{webhookId} · service key"),
            run: Run::Code(delete_webhook),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface MailboxRecord {
  mailbox_id: string;
  address: string;
  slug: string;
  project_id: string;
  status: "active" | "suspended" | "deleted";
  /** Messages sent today (UTC); the tier's daily limit applies to it. */
  sends_today: number;
  unique_recipients: number;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

export type CreateMailboxResult = MailboxRecord;
export type MailboxInfo = MailboxRecord;

export interface DeleteMailboxResult {
  mailbox_id: string;
  address: string;
  [key: string]: unknown;
}

export type EmailTemplate = "project_invite" | "magic_link" | "notification";

export interface SendEmailOptions {
  /** One recipient address. */
  to: string;
  /** Template mode: project_invite (project_name, invite_url), magic_link (project_name, link_url, expires_in), notification (project_name, message). */
  template?: EmailTemplate;
  variables?: Record<string, string>;
  /** Raw mode: `subject` and `html` together (plain text is made from the HTML when `text` is absent). */
  subject?: string;
  html?: string;
  text?: string;
  /** Display name on the From header, in both modes. */
  from_name?: string;
  /** The id of a received message this one answers. */
  in_reply_to?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface SendEmailResult {
  message_id: string;
  status: string;
  to: string;
  template: string | null;
  subject: string | null;
  sent_at: string;
  [key: string]: unknown;
}

export interface EmailSummary {
  id: string;
  /** Sent (`outbound`) or received (`inbound`). */
  direction?: "inbound" | "outbound";
  template: string | null;
  to: string;
  status: string;
  created_at: string;
  [key: string]: unknown;
}

export interface EmailReply {
  id: string;
  from: string;
  body: string;
  received_at: string;
}

export interface EmailDetail {
  id: string;
  direction?: "inbound" | "outbound";
  /** `null` for a raw-mode message. */
  template: string | null;
  to: string;
  status: string;
  variables: Record<string, string> | null;
  created_at: string;
  replies?: EmailReply[];
  [key: string]: unknown;
}

export interface ListEmailsOptions {
  limit?: number;
  /** A message id: list the messages after it. */
  after?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface RawEmailResult {
  content_type: string;
  bytes: Uint8Array;
}
"#;

#[cfg(not(target_arch = "wasm32"))]
const WEBHOOK_TYPES: &str = r#"export type EmailWebhookEvent = "delivery" | "bounced" | "complained" | "reply_received";

export interface MailboxWebhookSummary {
  webhook_id: string;
  url: string;
  events: EmailWebhookEvent[];
  created_at: string;
  [key: string]: unknown;
}

export interface MailboxWebhooksResult {
  webhooks: MailboxWebhookSummary[];
}

export interface RegisterWebhookOptions {
  url: string;
  events: EmailWebhookEvent[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface UpdateWebhookOptions {
  url?: string;
  events?: EmailWebhookEvent[];
  signal?: AbortSignal;
  timeoutMs?: number;
}
"#;

/// The context phrase of the lookup's own failures, as in the reference.
const RESOLVING: &str = "resolving mailbox";

/// What a member does once its arguments are checked. All of them are one
/// state machine, [`Mailbox`], run by the shared driver ([`steps`]): the
/// project's keys, then the mailbox, then the request, each step shared.
#[derive(Clone, Copy)]
enum Job {
    /// This declared route, on the cached mailbox or else the first listed
    /// (which is then cached).
    Route(&'static Route),
    /// `DELETE` the mailbox the caller names (argument 1), else the cached
    /// or first listed one; nothing is cached, and the cache is cleared after.
    Delete,
    /// `POST` a new mailbox; when the gateway answers 409, the first listed.
    Create,
    /// The first listed mailbox, whatever the cache says.
    Show,
    /// The raw bytes of message argument 1, read as the reference reads
    /// them with `fetch` itself: only the service key goes, and any failure
    /// is an `ApiError` with the gateway's body.
    Raw,
}

/// Which request a reply answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sent {
    Create,
    List,
    Raw,
}

/// A mailbox member's progress.
struct Mailbox {
    job: Job,
    project: String,
    /// The project's service key, once the provider gave it.
    key: String,
    sent: Sent,
    /// The mailbox to use, once known.
    mailbox: Option<String>,
    /// The result, once known (returned after a cache update).
    out: Option<Val>,
    /// A create's 409, answered if no mailbox can be listed.
    conflict: Option<Error>,
}

/// Checks every argument (no request on bad input, no provider call) and
/// starts the driver. Argument slots [`MAILBOX`] and [`KEY`] hold
/// placeholders while a route is checked; the machine fills them in.
fn start(k: Rc<Kernel>, mut a: Args, job: Job) -> LocalFuture<'static, Result<Val>> {
    a.set(MAILBOX, Native::string("mbx"));
    a.set(KEY, Native::string("key"));
    let checked = a.project_id(0).and_then(|project| {
        match job {
            Job::Route(route) => routes::check(&a, route),
            Job::Delete => a.opt_string(1, "mailboxId").map(drop),
            Job::Create => match a.string(1, "slug") {
                Ok(slug) if !is_slug(&slug) => Err(a.error("`slug` must be 3-63 of a-z, 0-9 and single inner hyphens")),
                other => other.map(drop),
            },
            Job::Show => Ok(()),
            Job::Raw => match a.non_empty(1, "messageId") {
                Ok(m) if crate::args::check_project_id(&m).is_err() => Err(a.error("`messageId` must be one path segment")),
                other => other.map(drop),
            },
        }
        .map(|()| project)
    });
    match checked {
        Ok(project) => {
            let m = Mailbox { job, project, key: String::new(), sent: Sent::List, mailbox: None, out: None, conflict: None };
            steps::start(k, a, Box::new(m))
        }
        Err(e) => fail(e),
    }
}

/// A finished future, for checks that fail before anything is awaited.
fn fail(e: Error) -> LocalFuture<'static, Result<Val>> {
    steps::ready(Err(e))
}

/// The tags of a mailbox member's requests and cache updates (best
/// effort), whose failures are told apart; its other waits are tagged 0.
const SENT: usize = 1;
const NOTED: usize = 2;

impl Steps for Mailbox {
    fn next(&mut self, k: &Kernel, a: &mut Args, tag: usize, got: Result<Got>, ops: &mut Waits) -> Result<Option<Val>> {
        let uses = matches!(self.job, Job::Route(_) | Job::Raw);
        let deletes = matches!(self.job, Job::Delete);
        let context = if uses { RESOLVING } else { a.context };
        match (tag, got) {
            // A cache update's answer: best effort, see [`Mailbox::remember`].
            (NOTED, _) => {}
            (SENT, reply) => match (self.sent, Got::reply(reply)) {
                (Sent::Create, reply) => match reply {
                    Ok(reply) => {
                        let patch = match &reply.body {
                            Val::Json(made) => Some(cache_patch(made)),
                            _ => None,
                        };
                        self.out = Some(reply.body);
                        if patch.is_some_and(|p| self.remember(k, p, ops)) {
                            return Ok(None);
                        }
                    }
                    // The project already has its mailbox: answer that one
                    // (listed next), or, if none can be listed, the gateway's own 409.
                    Err(e) if e.status == Some(409) => self.conflict = Some(e),
                    Err(e) => return Err(e),
                },
                (Sent::List, reply) => {
                    let listed = match reply {
                        Ok(reply) => reply.json().and_then(|b| b.field("mailboxes")).and_then(|list| list.item(0)).filter(|m| m.is_object()),
                        Err(e) => return Err(self.conflict.take().unwrap_or(e)),
                    };
                    let Some(first) = listed else {
                        let why = if deletes { " — nothing to delete" } else { ": create one first" };
                        let message = ["No mailbox found for this project", why].concat();
                        // The reference's synthetic answer: an ApiError 404 with no body.
                        return Err(self.conflict.take().unwrap_or(Error::from_status(404, Val::object().with("message", message), context).with_body(Val::Null)));
                    };
                    // One without an id fails the path check below.
                    self.mailbox = Some(first.str_field("mailbox_id").unwrap_or_default());
                    if matches!(self.job, Job::Create | Job::Show) {
                        self.out = Some(Val::Json(first.clone()));
                    }
                    if !deletes && self.remember(k, cache_patch(&first), ops) {
                        return Ok(None);
                    }
                }
                (Sent::Raw, reply) => {
                    let reply = reply.map_err(|e| match e.status {
                        Some(status) if e.kind != ErrorKind::ApiError => Error::bad_response(status, e.into_info().body, a.context, "Fetching raw MIME failed"),
                        _ => e,
                    })?;
                    let content_type = reply.header("content-type").unwrap_or_else(|| "message/rfc822".to_string());
                    return Ok(Some(Val::object().with("content_type", content_type).with("bytes", reply.body)));
                }
            },
            (_, got) => match got? {
                Got::Start => return Ok(ops.keys(0, self.project.clone(), context)),
                Got::Keys(keys) => {
                    self.key = keys.service_key;
                    if let Job::Create = self.job {
                        let body = Val::object().with("slug", a.string(1, "slug")?).with("project_id", self.project.as_str());
                        self.sent = Sent::Create;
                        return Ok(ops.send(SENT, a.call("POST", "/mailboxes/v1").bearer(&self.key).json(body)));
                    }
                    let named = if deletes { a.opt_string(1, "mailboxId")?.filter(|m| !m.is_empty()) } else { None };
                    let cached = keys.raw.str_field("mailbox_id").filter(|m| !m.is_empty() && (uses || deletes));
                    self.mailbox = named.or(cached);
                }
                Got::Val(out) => {
                    self.out = Some(out);
                    if deletes {
                        let cleared = Val::object().with("mailbox_id", Native::undefined()).with("mailbox_address", Native::undefined());
                        if self.remember(k, cleared, ops) {
                            return Ok(None);
                        }
                    }
                }
                _ => {}
            },
        }
        if let Some(out) = self.out.take() {
            return Ok(Some(out));
        }
        let Some(mailbox) = self.mailbox.take() else {
            self.sent = Sent::List;
            let call = Call::get("/mailboxes/v1", "listing mailboxes").sdk_method(a.namespace, a.method).bearer(&self.key);
            return Ok(ops.send(SENT, call));
        };
        // The id goes into the path unencoded, as in the reference.
        crate::args::check_project_id(&mailbox).map_err(|_| a.error(["the mailbox id \"", &mailbox, "\" is not a single path segment"].concat()))?;
        if let Job::Raw = self.job {
            let path = ["/mailboxes/v1/", &mailbox, "/messages/", &a.string(1, "messageId")?, "/raw"].concat();
            self.sent = Sent::Raw;
            return Ok(ops.send(SENT, a.call("GET", path).raw().read_as(ReadAs::Bytes).bearer(&self.key)));
        }
        a.set(MAILBOX, Native::string(mailbox));
        a.set(KEY, Native::string(core::mem::take(&mut self.key)));
        Ok(ops.route_call(0, a, if let Job::Route(route) = self.job { route } else { &DELETE_MAILBOX }))
    }
}

impl Mailbox {
    /// Best effort: a provider without `updateProject`, or one that fails,
    /// only means the next call lists the mailboxes again. `None`: nothing
    /// to wait for.
    fn remember(&self, k: &Kernel, patch: Val, ops: &mut Waits) -> bool {
        let method = ProviderMethod::UpdateProject;
        let has = k.credentials.has(method);
        if has {
            ops.invoke(NOTED, method, vec![Val::from(self.project.as_str()), patch], RESOLVING);
        }
        has
    }
}

/// The `updateProject` patch that caches a mailbox record's id and address.
fn cache_patch(record: &Json) -> Val {
    let field = |name| record.field(name).map_or(Val::Undefined, Val::Json);
    Val::object().with("mailbox_id", field("mailbox_id")).with("mailbox_address", field("address"))
}

/// `^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`, 3 to 63 characters, no `--`.
fn is_slug(slug: &str) -> bool {
    let b = slug.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (3..=63).contains(&b.len())
        && b.first().is_some_and(inner)
        && b.last().is_some_and(inner)
        && b.iter().all(|c| inner(c) || *c == b'-')
        && !slug.contains("--")
}

/// Whether a caller's option counts as given, by JavaScript truthiness (the
/// reference's rule for choosing the send mode).
fn truthy(opts: &Json, name: &str) -> bool {
    opts.field(name).is_some_and(|v| match v.shape() {
        Shape::Undefined | Shape::Null => false,
        Shape::Bool(b) => b,
        Shape::Number(n) => n != 0.0 && !n.is_nan(),
        Shape::String => v.as_string().is_some_and(|s| !s.is_empty()),
        _ => true,
    })
}

fn send(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let Ok(Some(opts)) = a.opt_object(1, "opts") else {
        return fail(a.error("`opts` must be an object"));
    };
    let (subject, html, template) = (truthy(&opts, "subject"), truthy(&opts, "html"), truthy(&opts, "template"));
    let problem = match (subject, html, template) {
        (false, false, false) => "give either `template` or `subject` + `html`",
        (_, _, true) if subject || html => "`template` or `subject` + `html`, not both",
        (true, false, _) => "raw mode is missing `html`",
        (false, true, _) => "raw mode is missing `subject`",
        _ => return start(k, a, Job::Route(if template { &SEND_TEMPLATE } else { &SEND_RAW })),
    };
    fail(a.error(problem))
}

fn list(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Job::Route(&LIST))
}

fn get(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Job::Route(&GET))
}

fn get_raw(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Job::Raw)
}

fn create_mailbox(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Job::Create)
}

fn get_mailbox(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Job::Show)
}

fn delete_mailbox(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Job::Delete)
}

/// Register and update: the URL is http(s) and the events a non-empty list
/// of known ones, wherever they are given (register needs both, update one).
fn check_webhook(a: &Args, index: usize, required: bool) -> Result<()> {
    let opts = a.opt_object(index, "opts")?.ok_or_else(|| a.error("`opts` must be an object"))?;
    let url = opts.field("url").filter(|v| !v.is_nullish());
    let events = opts.field("events").filter(|v| !v.is_nullish());
    let bad_url = url.as_ref().is_some_and(|u| {
        let text = u.as_string().unwrap_or_default();
        !(text.starts_with("https://") || text.starts_with("http://")) || text.ends_with("//")
    });
    let known = |e: &Json, i| e.item(i).and_then(|e| e.as_string()).is_some_and(|e| EVENTS.contains(&e.as_str()));
    let bad_events = events.as_ref().is_some_and(|e| !matches!(e.shape(), Shape::Array(n) if n > 0 && (0..n).all(|i| known(e, i))));
    let missing = if required { url.is_none() || events.is_none() } else { url.is_none() && events.is_none() };
    if missing || bad_url || bad_events {
        return Err(a.error("`url` (http/https) and `events` (delivery, bounced, complained, reply_received): both to register, at least one to update"));
    }
    Ok(())
}

fn register(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    match check_webhook(&a, 1, true) {
        Ok(()) => start(k, a, Job::Route(&REGISTER)),
        Err(e) => fail(e),
    }
}

fn list_webhooks(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Job::Route(&WEBHOOKS))
}

fn get_webhook(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Job::Route(&WEBHOOK))
}

fn update(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    match check_webhook(&a, 2, false) {
        Ok(()) => start(k, a, Job::Route(&UPDATE)),
        Err(e) => fail(e),
    }
}

fn delete_webhook(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Job::Route(&DELETE_WEBHOOK))
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use serde_json::{json, Value};

    use super::is_slug;
    use crate::credentials::ProviderMethod;
    use crate::error::ErrorKind;
    use crate::kernel::{HttpRequest, Kernel};
    use crate::testing::{self, body_text, header, to_serde, Answer, MockCredentials, MockTransport};
    use crate::value::Val;

    fn setup(project: Value) -> (Rc<Kernel>, MockTransport, MockCredentials) {
        let (k, t, c) = testing::kernel();
        c.on(ProviderMethod::GetProject, project);
        (k, t, c)
    }

    fn keys() -> Value {
        json!({"anon_key": "anon-k", "service_key": "svc-k"})
    }

    use testing::call_method as call;

    fn sent(t: &MockTransport) -> Vec<(String, String)> {
        t.sent.borrow().iter().map(|r| (r.method.clone(), r.url.trim_start_matches("https://api.test").to_string())).collect()
    }

    fn nth(t: &MockTransport, i: usize) -> HttpRequest {
        t.sent.borrow()[i].clone()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    const LISTED: &str = r#"{"mailboxes":[{"mailbox_id":"mbx_1","address":"app@mail.run402.com","slug":"app"},{"mailbox_id":"mbx_2","address":"b@mail.run402.com"}]}"#;

    #[test]
    fn slugs_follow_the_gateways_rules() {
        for good in ["abc", "my-app", "a1b2", "x-y-z", &"a".repeat(63)] {
            assert!(is_slug(good), "{good:?} refused");
        }
        for bad in ["ab", "-abc", "abc-", "a--b", "ABC", "a_b", "a b", "", &"a".repeat(64)] {
            assert!(!is_slug(bad), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_cached_mailbox_is_used_without_listing() {
        let (k, t, c) = setup(json!({"anon_key": "a", "service_key": "svc-k", "mailbox_id": "mbx_c"}));
        t.answers.borrow_mut().push_back(Answer::json(201, json!({"message_id": "msg_1"})));
        let out = call(&k, "email", "send", None, vec![json!("prj_1"), json!({"to": "u@example.com", "template": "notification", "variables": {"project_name": "A", "message": "hi"}, "text": "dropped", "from_name": ""})]).unwrap();
        assert_eq!(to_serde(&out), json!({"message_id": "msg_1"}));
        assert_eq!(sent(&t), pairs(&[("POST", "/mailboxes/v1/mbx_c/messages")]));
        let req = nth(&t, 0);
        assert_eq!(body_text(&req).unwrap(), r#"{"to":"u@example.com","template":"notification","variables":{"project_name":"A","message":"hi"}}"#);
        assert_eq!(header(&req, "authorization"), Some("Bearer svc-k"));
        assert_eq!(c.calls_to(ProviderMethod::GetProject).len(), 1, "the provider is asked for the keys once");
        assert!(c.calls_to(ProviderMethod::UpdateProject).is_empty());
    }

    #[test]
    fn without_a_cache_the_first_listed_mailbox_is_used_and_cached() {
        let (k, t, c) = setup(keys());
        c.on(ProviderMethod::UpdateProject, Value::Null);
        t.answers.borrow_mut().push_back(Answer::raw(200, "application/json", LISTED));
        t.answers.borrow_mut().push_back(Answer::json(200, json!([])));
        let out = call(&k, "email", "list", None, vec![json!("prj_1"), json!({"limit": 5, "after": "msg 9"})]).unwrap();
        assert_eq!(to_serde(&out), json!([]));
        assert_eq!(sent(&t), pairs(&[("GET", "/mailboxes/v1"), ("GET", "/mailboxes/v1/mbx_1/messages?limit=5&after=msg+9")]));
        assert_eq!(c.calls_to(ProviderMethod::UpdateProject), vec![json!(["prj_1", {"mailbox_id": "mbx_1", "mailbox_address": "app@mail.run402.com"}])]);
    }

    #[test]
    fn no_mailbox_is_a_synthetic_404_and_a_failing_cache_is_ignored() {
        let (k, t, c) = setup(keys());
        t.answers.borrow_mut().push_back(Answer::json(200, json!({"mailboxes": []})));
        let e = call(&k, "email", "get", None, vec![json!("prj_1"), json!("msg_1")]).unwrap_err();
        assert_eq!((e.kind, e.status, e.context.as_str()), (ErrorKind::ApiError, Some(404), "resolving mailbox"));
        assert!(matches!(e.body, Val::Null));
        assert_eq!(sent(&t).len(), 1);

        c.throws(ProviderMethod::UpdateProject, "disk full");
        t.answers.borrow_mut().push_back(Answer::raw(200, "application/json", LISTED));
        t.answers.borrow_mut().push_back(Answer::json(200, json!({"webhooks": []})));
        let out = call(&k, "email.webhooks", "list", None, vec![json!("prj_1")]).unwrap();
        assert_eq!(to_serde(&out), json!({"webhooks": []}));
    }

    #[test]
    fn bad_input_sends_nothing_and_asks_the_provider_nothing() {
        let (k, t, c) = setup(keys());
        let bad: Vec<(&str, &str, Vec<Value>)> = vec![
            ("email", "send", vec![json!("prj_1"), json!({"to": "u@x.com"})]),
            ("email", "send", vec![json!("prj_1"), json!({"to": "u@x.com", "subject": "s"})]),
            ("email", "send", vec![json!("prj_1"), json!({"to": "u@x.com", "html": "<p>"})]),
            ("email", "send", vec![json!("prj_1"), json!({"to": "u@x.com", "template": "notification", "subject": "s", "html": "h"})]),
            ("email", "send", vec![json!("prj_1"), json!({"to": "u@x.com", "template": "welcome"})]),
            ("email", "send", vec![json!("prj_1"), json!({"template": "notification"})]),
            ("email", "send", vec![json!("prj_1")]),
            ("email", "list", vec![json!("prj_1"), json!({"limit": 0})]),
            ("email", "get", vec![json!("prj_1"), json!("../x")]),
            ("email", "get", vec![json!("prj_1"), json!("")]),
            ("email", "getRaw", vec![json!("prj_1"), json!("a/b")]),
            ("email", "createMailbox", vec![json!("prj_1"), json!("a--b")]),
            ("email", "createMailbox", vec![json!("prj/1"), json!("abc")]),
            ("email", "deleteMailbox", vec![json!("prj_1"), json!(7)]),
            ("email.webhooks", "register", vec![json!("prj_1"), json!({"url": "https://h.example"})]),
            ("email.webhooks", "register", vec![json!("prj_1"), json!({"url": "ftp://h", "events": ["delivery"]})]),
            ("email.webhooks", "register", vec![json!("prj_1"), json!({"url": "https://h.example", "events": []})]),
            ("email.webhooks", "register", vec![json!("prj_1"), json!({"url": "https://h.example", "events": ["opened"]})]),
            ("email.webhooks", "update", vec![json!("prj_1"), json!("wh_1"), json!({})]),
            ("email.webhooks", "update", vec![json!("prj_1"), json!(""), json!({"url": "https://h.example"})]),
            ("email.webhooks", "get", vec![json!("prj_1"), json!("wh?1")]),
        ];
        for (ns, name, args) in bad {
            let shown = format!("{ns}.{name}({args:?})");
            let e = call(&k, ns, name, None, args).expect_err(&shown);
            assert_eq!(e.kind, ErrorKind::LocalError, "{shown}: {}", e.message);
        }
        assert!(t.sent.borrow().is_empty());
        assert!(c.calls_to(ProviderMethod::GetProject).is_empty());
    }

    #[test]
    fn create_returns_the_existing_mailbox_on_409_and_caches_it() {
        let (k, t, c) = setup(keys());
        c.on(ProviderMethod::UpdateProject, Value::Null);
        t.answers.borrow_mut().push_back(Answer::json(409, json!({"message": "Project already has a mailbox"})));
        t.answers.borrow_mut().push_back(Answer::raw(200, "application/json", LISTED));
        let out = call(&k, "email", "createMailbox", None, vec![json!("prj_1"), json!("new-one")]).unwrap();
        assert_eq!(to_serde(&out)["mailbox_id"], json!("mbx_1"));
        assert_eq!(sent(&t), pairs(&[("POST", "/mailboxes/v1"), ("GET", "/mailboxes/v1")]));
        assert_eq!(body_text(&nth(&t, 0)).unwrap(), r#"{"slug":"new-one","project_id":"prj_1"}"#);
        assert_eq!(c.calls_to(ProviderMethod::UpdateProject).len(), 1);

        // Nothing listed: the gateway's 409 itself.
        t.answers.borrow_mut().push_back(Answer::json(409, json!({"message": "Slug taken"})));
        t.answers.borrow_mut().push_back(Answer::json(200, json!({"mailboxes": []})));
        let e = call(&k, "email", "createMailbox", None, vec![json!("prj_1"), json!("taken")]).unwrap_err();
        assert_eq!((e.status, e.message.as_str()), (Some(409), "Slug taken while creating mailbox (HTTP 409)"));
        // Another status is not recovered from.
        t.answers.borrow_mut().push_back(Answer::json(400, json!({"message": "bad"})));
        assert_eq!(call(&k, "email", "createMailbox", None, vec![json!("prj_1"), json!("abc")]).unwrap_err().status, Some(400));
        assert_eq!(sent(&t).len(), 5);
    }

    #[test]
    fn delete_uses_the_named_then_cached_then_listed_mailbox_and_clears_the_cache() {
        let (k, t, c) = setup(json!({"anon_key": "a", "service_key": "svc-k", "mailbox_id": "mbx_c"}));
        c.on(ProviderMethod::UpdateProject, Value::Null);
        call(&k, "email", "deleteMailbox", None, vec![json!("prj_1"), json!("mbx_named")]).unwrap();
        call(&k, "email", "deleteMailbox", None, vec![json!("prj_1")]).unwrap();
        c.on(ProviderMethod::GetProject, keys());
        t.answers.borrow_mut().push_back(Answer::raw(200, "application/json", LISTED));
        call(&k, "email", "deleteMailbox", None, vec![json!("prj_1"), json!("")]).unwrap();
        assert_eq!(
            sent(&t),
            pairs(&[("DELETE", "/mailboxes/v1/mbx_named"), ("DELETE", "/mailboxes/v1/mbx_c"), ("GET", "/mailboxes/v1"), ("DELETE", "/mailboxes/v1/mbx_1")])
        );
        // Only clearing: listing for a delete caches nothing.
        let cleared = json!(["prj_1", {"mailbox_id": null, "mailbox_address": null}]);
        assert_eq!(c.calls_to(ProviderMethod::UpdateProject), vec![cleared.clone(), cleared.clone(), cleared]);
        t.answers.borrow_mut().push_back(Answer::json(200, json!({"mailboxes": []})));
        let e = call(&k, "email", "deleteMailbox", None, vec![json!("prj_1")]).unwrap_err();
        assert_eq!((e.status, e.context.as_str()), (Some(404), "deleting mailbox"));
    }

    #[test]
    fn get_raw_is_raw_bytes_with_the_content_type_and_fails_as_api_error() {
        let (k, t, c) = setup(json!({"anon_key": "a", "service_key": "svc-k", "mailbox_id": "mbx_c"}));
        c.on(ProviderMethod::GetAuth, json!({"SIGN-IN-WITH-X": "w"}));
        t.answers.borrow_mut().push_back(Answer::raw(200, "message/rfc822", "From: a@b\r\n\r\nhi"));
        let out = to_serde(&call(&k, "email", "getRaw", None, vec![json!("prj_1"), json!("msg_1")]).unwrap());
        assert_eq!(out["content_type"], json!("message/rfc822"));
        assert!(out.get("bytes").is_some());
        let req = nth(&t, 0);
        assert_eq!((req.method.as_str(), req.url.as_str()), ("GET", "https://api.test/mailboxes/v1/mbx_c/messages/msg_1/raw"));
        assert_eq!(req.headers, vec![("Authorization".to_string(), "Bearer svc-k".to_string())], "only the service key: no provider headers");
        t.answers.borrow_mut().push_back(Answer::json(403, json!({"message": "not yours"})));
        let e = call(&k, "email", "getRaw", None, vec![json!("prj_1"), json!("msg_1")]).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::ApiError, Some(403)));
        assert_eq!(to_serde(&e.body), json!({"message": "not yours"}));
    }

    #[test]
    fn webhooks_and_scoped_calls_send_the_contracts_requests() {
        let (k, t, _) = setup(json!({"anon_key": "a", "service_key": "svc-k", "mailbox_id": "mbx_c"}));
        call(&k, "email.webhooks", "register", Some("prj_1"), vec![json!({"url": "https://h.example/x", "events": ["delivery", "reply_received"]})]).unwrap();
        call(&k, "email.webhooks", "update", Some("prj_1"), vec![json!("wh_1"), json!({"events": ["bounced"]})]).unwrap();
        let gone = call(&k, "email.webhooks", "delete", Some("prj_1"), vec![json!("wh_1")]).unwrap();
        assert!(matches!(gone, Val::Undefined));
        call(&k, "email", "send", Some("prj_1"), vec![json!({"to": "u@x.com", "subject": "S", "html": "<b>h</b>", "text": "h", "in_reply_to": "msg_0", "variables": {"x": "y"}})]).unwrap();
        assert_eq!(
            sent(&t),
            pairs(&[
                ("POST", "/mailboxes/v1/mbx_c/webhooks"),
                ("PATCH", "/mailboxes/v1/mbx_c/webhooks/wh_1"),
                ("DELETE", "/mailboxes/v1/mbx_c/webhooks/wh_1"),
                ("POST", "/mailboxes/v1/mbx_c/messages"),
            ])
        );
        assert_eq!(body_text(&nth(&t, 0)).unwrap(), r#"{"url":"https://h.example/x","events":["delivery","reply_received"]}"#);
        assert_eq!(body_text(&nth(&t, 1)).unwrap(), r#"{"events":["bounced"]}"#);
        assert_eq!(body_text(&nth(&t, 3)).unwrap(), r#"{"to":"u@x.com","subject":"S","html":"<b>h</b>","text":"h","in_reply_to":"msg_0"}"#);
    }
}
