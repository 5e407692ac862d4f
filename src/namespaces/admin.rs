//! `r.admin`: messages to the Run402 developers, the wallet's agent contact
//! (email verification, operator passkey enrollment) and the platform-admin
//! finance read. All are wallet sign-in requests.

use crate::routes::{field, route, Kind, Route, RouteBody, Src, PROVIDER, SERVICE_GET};
use crate::surface::{opt, req, Method, Namespace, Scope, PROJECT_ID};

/// A signed-in request to `/agent/v1/contact…` (the path and verb vary).
const CONTACT: Route = Route { verb: "POST", path: "/agent/v1/contact", auth: PROVIDER, ..SERVICE_GET };

/// The finance windows (30d when none is given).
const WINDOWS: &[&str] = &["24h", "7d", "30d", "90d"];

pub const NAMESPACE: Namespace = Namespace {
    name: "admin",
    ts_name: "Admin",
    doc: crate::ts!("Messages to the developers, the agent contact and its assurance, platform-admin finance."),
    scoped: false,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "sendMessage",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("message", "string")],
            returns: crate::ts!("SendMessageResult"),
            scope: Scope::Global,
            context: "sending message",
            doc: crate::ts!("Send a message to the Run402 developers. Requires an active tier."),
            http: crate::ts!(""),
            run: route(Route { path: "/message/v1", body: RouteBody::Fields(&[field("message", Src::Arg(0), Kind::Str)]), ..CONTACT }),
        },
        Method {
            name: "setAgentContact",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("contact", "AgentContact")],
            returns: crate::ts!("AgentContactResult"),
            scope: Scope::Global,
            context: "setting agent contact",
            doc: crate::ts!("Register the wallet's contact (name, optional email and webhook); a new email starts verification."),
            http: crate::ts!(""),
            run: route(Route {
                body: RouteBody::Fields(&[
                    field("name", Src::Opt(0, "name"), Kind::Str),
                    field("email", Src::Opt(0, "email"), Kind::OptStr),
                    field("webhook", Src::Opt(0, "webhook"), Kind::OptStr),
                ]),
                ..CONTACT
            }),
        },
        Method {
            name: "getAgentContactStatus",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("AgentContactResult"),
            scope: Scope::Global,
            context: "fetching agent contact status",
            doc: crate::ts!("The wallet's agent contact and its assurance level."),
            http: crate::ts!(""),
            run: route(Route { verb: "GET", path: "/agent/v1/contact/status", ..CONTACT }),
        },
        Method {
            name: "verifyAgentContactEmail",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("AgentContactResult"),
            scope: Scope::Global,
            context: "starting agent contact email verification",
            doc: crate::ts!("Start or resend the email reply challenge for the contact's email."),
            http: crate::ts!(""),
            run: route(Route { path: "/agent/v1/contact/verify-email", ..CONTACT }),
        },
        Method {
            name: "startOperatorPasskeyEnrollment",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("AgentContactResult"),
            scope: Scope::Global,
            context: "starting operator passkey enrollment",
            doc: crate::ts!("Email a passkey enrollment link to the verified operator email."),
            http: crate::ts!(""),
            run: route(Route { path: "/agent/v1/contact/passkey/enroll", ..CONTACT }),
        },
        Method {
            name: "getProjectFinance",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, opt("opts", "AdminProjectFinanceOptions")],
            returns: crate::ts!("AdminProjectFinanceResult"),
            scope: Scope::Global,
            context: "fetching project finance",
            doc: crate::ts!("Platform-admin only: a project's revenue and direct cost over a window (default 30d)."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "GET",
                path: "/admin/api/finance/project/{0}",
                query: &[field("window", Src::Opt(1, "window"), Kind::OneOfOr(WINDOWS, "30d"))],
                headers: &[("X-Admin-Mode", Src::Const("1")), ("Cookie", Src::Opt(1, "cookie"))],
                ..CONTACT
            }),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface AgentContact {
  name: string;
  email?: string;
  webhook?: string;
}

export type AgentEmailVerificationStatus = "none" | "pending" | "verified";
export type AgentPasskeyBindingStatus = "none" | "pending" | "verified";
export type AgentAssuranceLevel = "wallet_only" | "email_pending" | "email_verified" | "passkey_pending" | "operator_passkey";

export interface AgentContactResult {
  wallet: string;
  name: string;
  email: string | null;
  webhook: string | null;
  email_verification_status: AgentEmailVerificationStatus;
  passkey_binding_status: AgentPasskeyBindingStatus;
  assurance_level: AgentAssuranceLevel;
  email_verified_at: string | null;
  email_verified_message_id: string | null;
  email_challenge_sent_at: string | null;
  passkey_bound_at: string | null;
  active_operator_passkey_id: string | null;
  updated_at: string;
  verification_retry_after_seconds?: number;
  enrollment_sent_to?: string;
  [key: string]: unknown;
}

export interface SendMessageResult {
  status: string;
  [key: string]: unknown;
}

export type AdminFinanceWindow = "24h" | "7d" | "30d" | "90d";

export interface AdminProjectFinanceOptions {
  /** The rollup window; "30d" when absent. */
  window?: AdminFinanceWindow;
  /** An admin session cookie, sent as the `Cookie` header (instead of a platform-admin wallet sign-in). */
  cookie?: string;
}

export interface AdminProjectFinanceResult {
  project_id: string;
  project_name: string;
  window: AdminFinanceWindow;
  revenue_usd_micros: number;
  direct_cost_usd_micros: number;
  direct_margin_usd_micros: number;
  revenue_breakdown: {
    tier_fees_usd_micros: number;
    email_packs_usd_micros: number;
    kms_rental_usd_micros: number;
    kms_sign_fees_usd_micros: number;
    per_call_sku_usd_micros: number;
  };
  direct_cost_breakdown: Array<{ category: string; cost_usd_micros: number }>;
  notes: string;
  [key: string]: unknown;
}
"#;
