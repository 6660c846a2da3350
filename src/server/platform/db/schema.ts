/**
 * Table shapes as Kysely sees them. Both dialects store the same types: ids as text (ULIDs),
 * instants as UTC epoch milliseconds (bigint), booleans as 0/1 integers and JSON as text, so one set
 * of migrations and one set of queries serve SQLite and PostgreSQL (ADR 0002).
 */
export interface UsersTable {
  id: string;
  handle: string;
  email: string;
  name: string;
  time_zone: string;
  role: string;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled: number;
  deactivated_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TeamsTable {
  id: string;
  handle: string;
  name: string;
  description: string;
  deactivated_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  /** `active`, or `mfa_pending` between a correct password and a correct TOTP code. */
  state: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  /** The first characters of the token, shown in lists so people can tell tokens apart. */
  prefix: string;
  user_id: string;
  role: string;
  team_id: string | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before_json: string | null;
  after_json: string | null;
  ip: string | null;
  request_id: string | null;
}

export interface SetupTokensTable {
  id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface JobsTable {
  id: string;
  task: string;
  /** Unique when set: adding a job with an existing key replaces the pending one. */
  job_key: string | null;
  payload: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
  /** Bumped each time a keyed job is replaced, so a worker finishing an older revision keeps the newer one. */
  revision: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  /** Set when the job used up its attempts; such jobs are kept for inspection and never run again. */
  failed_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Named counters handed out atomically (see migration 0006). */
export interface CountersTable {
  name: string;
  value: number;
}

export interface RuntimeTable {
  name: string;
  value: string;
  updated_at: number;
}

export interface ContactMethodsTable {
  id: string;
  user_id: string;
  /** email, sms, voice, push, slack, teams, mattermost or webhook. */
  type: string;
  /** What people see: the email, phone number or handle; for push and webhook a redacted form. */
  address: string;
  /** SecretBox-sealed JSON for push subscriptions and webhook URLs (they embed credentials). */
  secret: string | null;
  label: string;
  verified_at: number | null;
  /** SHA-256 of `<id>:<code>` while a verification code is pending. */
  verification_code_hash: string | null;
  verification_sent_at: number | null;
  verification_expires_at: number | null;
  /** Codes tried against the pending code (right or wrong). */
  verification_attempts: number;
  /** Why the last verification message could not be delivered, for the person to see. */
  verification_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface NotificationRulesTable {
  id: string;
  user_id: string;
  /** high or low. */
  urgency: string;
  position: number;
  delay_minutes: number;
  contact_method_id: string;
}

export interface NotificationSettingsTable {
  user_id: string;
  json: string;
  updated_at: number;
}

export interface SchedulesTable {
  id: string;
  handle: string;
  name: string;
  description: string;
  team_id: string | null;
  time_zone: string;
  /** The engine's Layer[] as JSON, with user ids. */
  layers_json: string;
  version: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface ScheduleOverridesTable {
  id: string;
  schedule_id: string;
  user_id: string;
  start_at: number;
  end_at: number;
  replaces_user_id: string | null;
  swap_with: string | null;
  note: string | null;
  created_by: string | null;
  created_at: number;
  deleted_at: number | null;
}

export interface EscalationPoliciesTable {
  id: string;
  handle: string;
  name: string;
  description: string;
  team_id: string | null;
  levels_json: string;
  repeat_count: number;
  fallback_json: string | null;
  skip_empty_levels: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface CalendarFeedsTable {
  id: string;
  token_hash: string;
  /** user or schedule. */
  kind: string;
  subject_id: string;
  user_id: string;
  created_at: number;
  revoked_at: number | null;
}

export interface HolidaysTable {
  id: string;
  /** YYYY-MM-DD. */
  date: string;
  name: string;
  created_at: number;
}

/** Services (catalog entries alerts belong to); migration 0004-alerts. */
export interface ServicesTable {
  id: string;
  handle: string;
  name: string;
  description: string;
  team_id: string | null;
  escalation_policy_id: string | null;
  runbook_url: string | null;
  dashboard_url: string | null;
  urgency_json: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** Flap damping: a resolved alert re-triggered within this many minutes is reopened (0: off); migration 0010. */
  flap_window_minutes: number;
  /** Storm guard: new alerts per minute past which they collapse into one summary alert (0: off); migration 0010. */
  storm_threshold_per_minute: number;
}

export interface IntegrationsTable {
  id: string;
  service_id: string;
  /** events-v2, alertmanager or grafana. */
  type: string;
  name: string;
  key_sealed: string;
  key_lookup: string;
  previous_key_lookup: string | null;
  previous_key_valid_until: number | null;
  disabled: number;
  created_at: number;
  updated_at: number;
  last_event_at: number | null;
  /** Verification settings (HMAC secret, bearer token, basic auth) as SecretBox-sealed JSON; null when none. */
  auth_sealed: string | null;
  /** Generic webhook only: the JSON-path mapping (`IntegrationMapping`) as JSON; null reads the documented fields. */
  mapping_json: string | null;
}

/** The outcome of one Opsgenie Alert API request, for `GET /v2/alerts/requests/{requestId}`. */
export interface OpsgenieRequestsTable {
  id: string;
  integration_id: string;
  /** Create, Acknowledge or Close. */
  action: string;
  success: number;
  status: string;
  alert_id: string | null;
  alias: string | null;
  processed_at: number;
}

/** One alert's escalation (migration 0012, ADR 0022): the policy snapshot and the engine's state. */
export interface EscalationsTable {
  alert_id: string;
  /** `EscalationStatus`: active, acknowledged, resolved or exhausted. */
  status: string;
  /** The state's fencing token, as a column for `UPDATE … WHERE generation = ?`. */
  generation: number;
  snapshot_json: string;
  state_json: string;
  next_at: number | null;
  started_at: number;
  updated_at: number;
}

/** The paging outbox (migration 0012): one notification to one person over one contact method. */
export interface PageNotificationsTable {
  id: string;
  alert_id: string;
  idempotency_key: string;
  user_id: string;
  contact_method_id: string;
  channel: string;
  address: string;
  /** 1-based level; null for the fallback. */
  level: number | null;
  round: number;
  generation: number;
  /** pending, sent, failed or cancelled. */
  status: string;
  due_at: number;
  attempts: number;
  last_error: string | null;
  provider_message_id: string | null;
  sent_at: number | null;
  created_at: number;
  updated_at: number;
  /** `page`, or `resolved` for the notice sent once the alert resolves (migration 0014). */
  kind: string;
  /** Handle of the provider that accepted it (migration 0015). */
  provider: string | null;
  /** The provider's own delivery report, from its status callback: delivered, undelivered, failed, read. */
  delivery_status: string | null;
  delivered_at: number | null;
  /** 1 for a test page (migration 0016); default 0. */
  test?: number;
  /** 1 for a shadow participant's copy (migration 0016); default 0. */
  shadow?: number;
}

/** Paging's own settings of an escalation policy (migration 0016); no row: the defaults. */
export interface PagingPolicySettingsTable {
  policy_id: string;
  /** Minutes an acknowledgement holds before the alert triggers again; null: until resolved. */
  ack_timeout_minutes: number | null;
  updated_at: number;
}

/** A person paged into an alert by "add responders" (migration 0016, docs/paging.md). */
export interface AlertRespondersTable {
  id: string;
  alert_id: string;
  /** Shared by everyone one request added. */
  request_id: string;
  user_id: string;
  /** `user` or `escalationPolicy`: how the request named them. */
  via_type: string;
  via_id: string;
  /** The requester's actor label. */
  requested_by: string;
  message: string | null;
  created_at: number;
}

/** An account Firebreak delivers through (migration 0015, docs/providers.md). */
export interface NotificationProvidersTable {
  id: string;
  handle: string;
  /** smtp, twilio, vonage, webpush, slack, teams, mattermost, discord, telegram, ntfy, webhook. */
  kind: string;
  enabled: number;
  position: number;
  settings_json: string;
  /** Sealed JSON object of secret values set through the API. */
  secrets_sealed: string | null;
  /** JSON object: secret name → environment variable (config-as-code). */
  secret_env_json: string | null;
  managed_by: string;
  consecutive_failures: number;
  last_success_at: number | null;
  last_failure_at: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** An acknowledge or resolve link sent in a page (migration 0014): single use, expiring, for one person. */
export interface PageActionLinksTable {
  /** SHA-256 of the token, hex; the token itself is only in the email. */
  token_hash: string;
  alert_id: string;
  user_id: string;
  notification_id: string | null;
  /** acknowledge or resolve. */
  action: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A change event (deploy, config change) recorded on a service. */
export interface ChangesTable {
  id: string;
  service_id: string;
  integration_id: string | null;
  summary: string;
  source: string | null;
  timestamp: number | null;
  links_json: string;
  details_json: string | null;
  received_at: number;
  /** Migration 0019 (ADR 0031): what `POST /api/v1/changes` records; NULL for PagerDuty change events. */
  version: string | null;
  commit_sha: string | null;
  author: string | null;
  url: string | null;
  rollback_url: string | null;
  /** Who recorded it through the API (audit label); NULL for change events. */
  recorded_by: string | null;
  /** When it happened: `timestamp`, else `received_at` (the incident windows are ranges over it). */
  happened_at: number;
}

/** A heartbeat integration's schedule and state (migration 0008, src/core/alerts/heartbeat.ts). */
export interface HeartbeatsTable {
  integration_id: string;
  settings_json: string;
  /** new, up or down. */
  status: string;
  /** missed, failed or run-timeout while down. */
  down_reason: string | null;
  last_ping_at: number | null;
  /** success, start or fail. */
  last_ping_kind: string | null;
  last_exit_code: number | null;
  last_success_at: number | null;
  started_at: number | null;
  revision: number;
  updated_at: number;
}

/** An email integration's parsing rules (migration 0008). */
export interface EmailIntegrationsTable {
  integration_id: string;
  settings_json: string;
  updated_at: number;
}

export interface AlertsTable {
  id: string;
  number: number;
  service_id: string;
  integration_id: string | null;
  dedup_key: string;
  /** `dedup_key` while open, NULL once resolved (unique per service: one open alert per key). */
  open_dedup_key: string | null;
  title: string;
  description: string;
  source: string | null;
  severity: string;
  urgency: string;
  status: string;
  event_count: number;
  first_seen_at: number;
  last_seen_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  labels_json: string;
  details_json: string | null;
  links_json: string;
  images_json: string;
  members_json: string;
  /** Why the alert notifies nobody (`SuppressedBy` as JSON); null when it may. Migration 0010. */
  suppressed_json: string | null;
  /** Routing (migration 0009): null delivered now; an instant when deferred to the next support window (backlog alerts: null, urgency says never). */
  deliver_at: number | null;
  /** Reassign (migration 0011): `{kind, id, label}` of a user or escalation policy; null: the service's policy. */
  assignee_json: string | null;
  /** Snooze (migration 0011): when the acknowledged alert triggers again; null: not snoozed. */
  snoozed_until: number | null;
  revision: number;
  created_at: number;
  updated_at: number;
}

/** A service's routing rules, support hours and backlog webhook (migration 0009, ADR 0018); no row: none. */
export interface ServiceRoutingTable {
  service_id: string;
  /** `RoutingRule[]` as JSON. */
  rules_json: string;
  /** `SupportHours` as JSON; null: none (low urgency is delivered at once). */
  support_hours_json: string | null;
  raise_at_support_start: number;
  backlog_webhook_url: string | null;
  updated_at: number;
}

export interface AlertEventsTable {
  id: string;
  alert_id: string | null;
  integration_id: string | null;
  /** The service the event arrived for, before routing (migration 0029); NULL on older refused rows. */
  service_id: string | null;
  received_at: number;
  format: string;
  action: string;
  dedup_key: string | null;
  payload_json: string;
  outcome: string;
}

export interface AlertLogTable {
  id: string;
  alert_id: string;
  at: number;
  /** event, action or note. */
  kind: string;
  action: string;
  actor: string | null;
  summary: string;
  data_json: string | null;
}

/** Maintenance windows (migration 0010): one-off, or recurring by an RRULE in a time zone. */
export interface MaintenanceWindowsTable {
  id: string;
  name: string;
  description: string;
  starts_at: number;
  ends_at: number | null;
  ended_at: number | null;
  rrule: string | null;
  duration_minutes: number | null;
  time_zone: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  /** Config-as-code name (`metadata.name`), unique; NULL when made through the API (migration 0013). */
  handle: string | null;
}

export interface MaintenanceWindowServicesTable {
  window_id: string;
  service_id: string;
}

/** Silences by label matchers (migration 0010). */
export interface SilencesTable {
  id: string;
  service_id: string | null;
  matchers_json: string;
  comment: string;
  created_by: string;
  starts_at: number;
  ends_at: number;
  created_at: number;
  updated_at: number;
  /** Config-as-code name (`metadata.name`), unique; NULL when made through the API (migration 0013). */
  handle: string | null;
}

/** The storm guard's durable per-service counter of new alerts per minute (migration 0010). */
export interface AlertStormsTable {
  service_id: string;
  bucket: number;
  count: number;
  previous_count: number;
}

export interface Database {
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  setup_tokens: SetupTokensTable;
  jobs: JobsTable;
  runtime: RuntimeTable;
  counters: CountersTable;
  contact_methods: ContactMethodsTable;
  notification_rules: NotificationRulesTable;
  notification_settings: NotificationSettingsTable;
  schedules: SchedulesTable;
  schedule_overrides: ScheduleOverridesTable;
  escalation_policies: EscalationPoliciesTable;
  calendar_feeds: CalendarFeedsTable;
  holidays: HolidaysTable;
  services: ServicesTable;
  integrations: IntegrationsTable;
  alerts: AlertsTable;
  service_routing: ServiceRoutingTable;
  alert_events: AlertEventsTable;
  alert_log: AlertLogTable;
  maintenance_windows: MaintenanceWindowsTable;
  maintenance_window_services: MaintenanceWindowServicesTable;
  silences: SilencesTable;
  alert_storms: AlertStormsTable;
  heartbeats: HeartbeatsTable;
  email_integrations: EmailIntegrationsTable;
  opsgenie_requests: OpsgenieRequestsTable;
  changes: ChangesTable;
  escalations: EscalationsTable;
  page_notifications: PageNotificationsTable;
  alert_responders: AlertRespondersTable;
  paging_policy_settings: PagingPolicySettingsTable;
  page_action_links: PageActionLinksTable;
  notification_providers: NotificationProvidersTable;
  incidents: IncidentsTable;
  incident_services: IncidentServicesTable;
  incident_alerts: IncidentAlertsTable;
  incident_roles: IncidentRolesTable;
  incident_timeline: IncidentTimelineTable;
  // 0018 incident work (threads, checklists, playbooks)
  playbooks: PlaybooksTable;
  playbook_services: PlaybookServicesTable;
  incident_playbooks: IncidentPlaybooksTable;
  incident_tasks: IncidentTasksTable;
  incident_threads: IncidentThreadsTable;
  // 0019 changes and service dependencies
  service_dependencies: ServiceDependenciesTable;
  incident_change_marks: IncidentChangeMarksTable;
  // 0020 stakeholder updates (subscriptions, deliveries, reminders)
  incident_subscriptions: IncidentSubscriptionsTable;
  incident_comms: IncidentCommsTable;
  incident_comms_deliveries: IncidentCommsDeliveriesTable;
  incident_update_templates: IncidentUpdateTemplatesTable;
  // 0021 severities, incident rules, postmortem policy
  incident_severities: IncidentSeveritiesTable;
  incident_rules: IncidentRulesTable;
  incident_rule_declarations: IncidentRuleDeclarationsTable;
  postmortem_policy: PostmortemPolicyTable;
  // 0022 incident responders
  incident_responder_requests: IncidentResponderRequestsTable;
  incident_participants: IncidentParticipantsTable;
  // 0023 status pages
  status_pages: StatusPagesTable;
  status_components: StatusComponentsTable;
  status_component_history: StatusComponentHistoryTable;
  status_incidents: StatusIncidentsTable;
  status_incident_updates: StatusIncidentUpdatesTable;
  status_incident_components: StatusIncidentComponentsTable;
  // 0025 postmortems and action items
  postmortem_templates: PostmortemTemplatesTable;
  postmortems: PostmortemsTable;
  postmortem_revisions: PostmortemRevisionsTable;
  postmortem_services: PostmortemServicesTable;
  postmortem_tags: PostmortemTagsTable;
  postmortem_reviewers: PostmortemReviewersTable;
  postmortem_attachments: PostmortemAttachmentsTable;
  postmortem_publications: PostmortemPublicationsTable;
  action_items: ActionItemsTable;
  // 0027 status-page subscribers
  status_subscribers: StatusSubscribersTable;
  status_subscriber_confirmations: StatusSubscriberConfirmationsTable;
  status_subscriber_events: StatusSubscriberEventsTable;
  status_subscriber_deliveries: StatusSubscriberDeliveriesTable;
  // 0028 private status pages: visitors' sign-in links and the cookie key
  status_page_access_links: StatusPageAccessLinksTable;
  status_page_access_keys: StatusPageAccessKeysTable;
  status_maintenance_reminders: StatusMaintenanceRemindersTable;
}

/** An incident (migration 0017, docs/incidents.md). Shown as INC-<number>. */
export interface IncidentsTable {
  id: string;
  number: number;
  title: string;
  /** A severity key (SEV1…). */
  severity: string;
  status: string;
  summary: string;
  customer_impact: string;
  links_json: string;
  declared_by: string;
  declared_by_user_id: string | null;
  detected_at: number;
  declared_at: number;
  acknowledged_at: number | null;
  mitigated_at: number | null;
  resolved_at: number | null;
  revision: number;
  created_at: number;
  updated_at: number;
  /** The postmortem policy's verdict (migration 0021): 1 required, 0 not, null not evaluated yet. */
  postmortem_required: number | null;
  /** The reasons (string[] as JSON) when required. */
  postmortem_reasons_json: string | null;
  /** Who first asked for a postmortem; null: nobody. */
  postmortem_requested_by: string | null;
}

/** A configured incident severity (migration 0021); no rows: the built-in SEV1–SEV4. */
export interface IncidentSeveritiesTable {
  key: string;
  /** The key in lowercase: unique, and the `Severity` document's name. */
  handle: string;
  name: string;
  description: string;
  response: string;
  update_cadence_minutes: number | null;
  position: number;
  created_at: number;
  updated_at: number;
}

/** An auto-declare rule (migration 0021, ADR 0033). */
export interface IncidentRulesTable {
  id: string;
  name: string;
  description: string;
  enabled: number;
  position: number;
  conditions_json: string;
  action_json: string;
  created_at: number;
  updated_at: number;
}

/** What a rule did for one alert (migration 0021): the alert id is the key, so never twice per alert. */
export interface IncidentRuleDeclarationsTable {
  alert_id: string;
  rule_id: string;
  service_id: string;
  incident_id: string;
  outcome: string;
  at: number;
}

/** The postmortem policy (migration 0021): one row `default`; none: the defaults. */
export interface PostmortemPolicyTable {
  id: string;
  policy_json: string;
  updated_at: number;
  updated_by: string;
}

/** A service an incident impacts (migration 0017). */
export interface IncidentServicesTable {
  incident_id: string;
  service_id: string;
}

/** An alert linked to an incident (migration 0017). */
export interface IncidentAlertsTable {
  incident_id: string;
  alert_id: string;
  linked_at: number;
  linked_by: string;
}

/** A role held in an incident (migration 0017); no row: vacant. */
export interface IncidentRolesTable {
  incident_id: string;
  role: string;
  user_id: string;
  /** user_id for the commander of an open incident, else NULL; unique: nobody commands two open incidents. */
  open_commander_user_id: string | null;
  assigned_at: number;
  assigned_by: string;
}

/** One incident timeline entry (migration 0017). */
export interface IncidentTimelineTable {
  id: string;
  incident_id: string;
  at: number;
  kind: string;
  action: string;
  actor: string | null;
  summary: string;
  data_json: string | null;
  pinned: number;
  edited_at: number | null;
  history_json: string;
}

/** A reusable checklist (migration 0018, ADR 0030), addressed by its unique `name`. */
export interface PlaybooksTable {
  id: string;
  name: string;
  title: string;
  description: string;
  /** 0: only added by hand; 1: declared incidents matching severities/services get it. */
  auto_apply: number;
  severities_json: string;
  /** [{title, description, link, ownerRole}] */
  items_json: string;
  /** api | config */
  managed_by: string;
  created_at: number;
  updated_at: number;
}

/** A service a playbook applies to (migration 0018). */
export interface PlaybookServicesTable {
  playbook_id: string;
  service_id: string;
}

/** A playbook added to an incident (migration 0018); the primary key keeps it from being added twice. */
export interface IncidentPlaybooksTable {
  incident_id: string;
  playbook_name: string;
  playbook_title: string;
  added_at: number;
  added_by: string;
}

/** One task of an incident's checklist (migration 0018). */
export interface IncidentTasksTable {
  id: string;
  incident_id: string;
  position: number;
  title: string;
  description: string | null;
  link: string | null;
  /** NULL: added by hand. */
  playbook_name: string | null;
  playbook_title: string | null;
  /** An incident role; the owner is whoever holds it. */
  owner_role: string | null;
  owner_user_id: string | null;
  done_at: number | null;
  done_by: string | null;
  created_at: number;
  created_by: string;
  updated_at: number;
}

/** A line of investigation on an incident (migration 0018). */
export interface IncidentThreadsTable {
  id: string;
  incident_id: string;
  title: string;
  description: string;
  owner_user_id: string | null;
  /** open | concluded | abandoned */
  status: string;
  conclusion: string | null;
  created_at: number;
  created_by: string;
  updated_at: number;
}

/** A service depends on another (migration 0019, ADR 0031): directed, cycles allowed, never itself. */
export interface ServiceDependenciesTable {
  service_id: string;
  depends_on_id: string;
  created_at: number;
}

/** What responders said about a change on an incident (migration 0019, ADR 0031); no row: unmarked. */
export interface IncidentChangeMarksTable {
  incident_id: string;
  change_id: string;
  /** caused | suspect | dismissed */
  mark: string;
  note: string | null;
  marked_by: string;
  marked_by_user_id: string | null;
  marked_at: number;
}

/** A subscriber to stakeholder updates of an incident, a team's or a service's incidents (migration 0020, ADR 0032). */
export interface IncidentSubscriptionsTable {
  id: string;
  /** incident | team | service */
  scope: string;
  scope_id: string;
  /** user | email | slack | teams | mattermost | discord | ntfy | webhook */
  type: string;
  user_id: string | null;
  contact_method_id: string | null;
  channel: string;
  /** Shown to people; ntfy topics and webhook URLs redacted. */
  address: string;
  /** The sealed full address of an ntfy topic or webhook URL. */
  secret: string | null;
  /** Unique per scope: `user:<id>` or `<channel>:<sha256 of the address>`. */
  address_key: string;
  label: string;
  created_at: number;
  created_by: string;
}

/** An incident's update cadence and reminder (migration 0020). */
export interface IncidentCommsTable {
  incident_id: string;
  /** NULL: the severity's default. */
  cadence_minutes: number | null;
  /** When the reminder job is due; NULL once resolved. The job's fence. */
  reminder_due_at: number | null;
  updated_at: number;
}

/** The outbox of stakeholder updates and reminders: one row per recipient (migration 0020). */
export interface IncidentCommsDeliveriesTable {
  id: string;
  incident_id: string;
  entry_id: string;
  /** update | reminder */
  purpose: string;
  subscription_id: string | null;
  user_id: string | null;
  channel: string;
  address: string;
  /** The channel's ContactAddress as sealed JSON. */
  target_sealed: string;
  subject: string;
  body: string;
  idempotency_key: string;
  /** pending | sent | failed */
  status: string;
  attempts: number;
  last_error: string | null;
  provider: string | null;
  provider_message_id: string | null;
  sent_at: number | null;
  created_at: number;
  updated_at: number;
}

/** An admin's replacement of a built-in update template (migration 0020); no row: the default. */
export interface IncidentUpdateTemplatesTable {
  /** first | update | all_clear */
  kind: string;
  text: string;
  updated_at: number;
  updated_by: string;
}

/** A request to page someone into an incident (migration 0022, ADR 0034); its paging is the alert `alert_id`. */
export interface IncidentResponderRequestsTable {
  id: string;
  incident_id: string;
  alert_id: string;
  /** user | policy | team, as asked. */
  target_type: string;
  target_id: string;
  /** The escalation policy that pages (the policy, or the team's); NULL for a person. */
  policy_id: string | null;
  message: string | null;
  requested_by: string;
  requested_by_user_id: string | null;
  /** requested | acknowledged | joined | cancelled */
  state: string;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  joined_user_id: string | null;
  joined_at: number | null;
  closed_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Someone who joined an incident (migration 0022); `left_at` set once they left. */
export interface IncidentParticipantsTable {
  incident_id: string;
  user_id: string;
  joined_at: number;
  left_at: number | null;
}

/** A status page (migration 0023, docs/status-pages.md). `version` moves on every public change. */
export interface StatusPagesTable {
  id: string;
  slug: string;
  name: string;
  visibility: string;
  time_zone: string;
  brand_color: string;
  logo_url: string | null;
  custom_domain: string | null;
  footer_links_json: string;
  allowed_email_domains_json: string;
  version: number;
  created_at: number;
  updated_at: number;
}

/** A status-page component or group (`is_group` 1), migration 0023. */
export interface StatusComponentsTable {
  id: string;
  page_id: string;
  group_id: string | null;
  is_group: number;
  name: string;
  description: string | null;
  position: number;
  status: string;
  showcase: number;
  only_show_if_degraded: number;
  public: number;
  service_id: string | null;
  start_date: string | null;
  created_at: number;
  updated_at: number;
}

/** From `at` on, the component had `status` (migration 0023); uptime bars come from these. */
export interface StatusComponentHistoryTable {
  id: string;
  component_id: string;
  status: string;
  at: number;
}

/** A public incident or scheduled maintenance (`kind`) of a status page (migration 0023). */
export interface StatusIncidentsTable {
  id: string;
  page_id: string;
  kind: string;
  name: string;
  status: string;
  impact: string;
  started_at: number;
  monitoring_at: number | null;
  resolved_at: number | null;
  scheduled_for: number | null;
  scheduled_until: number | null;
  auto_transition: number;
  backfilled: number;
  postmortem_url: string | null;
  created_at: number;
  updated_at: number;
  /** The internal incident it was posted from (migration 0026); admin API only, never public. */
  incident_id: string | null;
}

/** An update of a public incident or maintenance (migration 0023). */
export interface StatusIncidentUpdatesTable {
  id: string;
  incident_id: string;
  status: string;
  body: string;
  affected_json: string;
  display_at: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface StatusIncidentComponentsTable {
  incident_id: string;
  component_id: string;
}

/** A stored postmortem template (migration 0025); one with a built-in's handle replaces it. */
export interface PostmortemTemplatesTable {
  id: string;
  handle: string;
  title: string;
  description: string;
  /** [{key, title, guidance, internal}] */
  sections_json: string;
  created_at: number;
  updated_at: number;
}

/** A postmortem (migration 0025, docs/postmortems.md). Shown as PM-<number>. */
export interface PostmortemsTable {
  id: string;
  number: number;
  incident_id: string | null;
  title: string;
  /** draft | in_review | published */
  status: string;
  template_handle: string;
  /** [{key, title, body, internal}] */
  sections_json: string;
  severity: string | null;
  occurred_at: number | null;
  ended_at: number | null;
  owner_user_id: string | null;
  authors_json: string;
  people_json: string;
  due_at: number | null;
  required: number;
  required_reasons_json: string;
  no_action_items_reason: string | null;
  review_notes_json: string | null;
  /** What full-text search reads besides the title (sections, tags, services, action items). */
  search_text: string;
  /** The optimistic-concurrency token: moves on every change. */
  version: number;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
  submitted_at: number | null;
  published_at: number | null;
}

/** A saved version of a postmortem (migration 0025). */
export interface PostmortemRevisionsTable {
  postmortem_id: string;
  version: number;
  snapshot_json: string;
  changed_fields_json: string;
  at: number;
  by_user_id: string | null;
  by_label: string;
}

export interface PostmortemServicesTable {
  postmortem_id: string;
  service_id: string;
}

export interface PostmortemTagsTable {
  postmortem_id: string;
  tag: string;
}

/** A named reviewer of a postmortem and their decision (migration 0025). */
export interface PostmortemReviewersTable {
  postmortem_id: string;
  user_id: string;
  /** null: not decided | approved | changes_requested */
  decision: string | null;
  comment: string | null;
  decided_at: number | null;
  added_at: number;
}

/** An image or file attached to a postmortem (migration 0025); bytes as base64. */
export interface PostmortemAttachmentsTable {
  id: string;
  postmortem_id: string;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  data_base64: string;
  created_at: number;
  created_by: string;
}

/** The public version of a postmortem, published to a status-page incident (migration 0025). */
export interface PostmortemPublicationsTable {
  id: string;
  postmortem_id: string;
  status_page_incident_id: string | null;
  title: string;
  markdown: string;
  published_at: number;
  published_by: string;
}

/** An action item of a postmortem (migration 0025). Shown as AI-<number>. */
export interface ActionItemsTable {
  id: string;
  number: number;
  postmortem_id: string;
  title: string;
  description: string;
  owner_user_id: string | null;
  team_id: string | null;
  /** high | medium | low */
  priority: string;
  /** YYYY-MM-DD */
  due_date: string | null;
  /** open | in_progress | done | wont_do */
  status: string;
  tracker_url: string | null;
  similar_group: string | null;
  created_at: number;
  created_by: string;
  updated_at: number;
  completed_at: number | null;
}

/** A status-page subscriber (migration 0027, ADR 0039). */
export interface StatusSubscribersTable {
  id: string;
  page_id: string;
  /** email | webhook | slack | teams */
  kind: string;
  email: string | null;
  /** Webhook or chat incoming-webhook URL, sealed (SecretBox). */
  url_sealed: string | null;
  url_host: string | null;
  /** A webhook's signing secret, sealed. */
  secret_sealed: string | null;
  /** SHA-256 of the manage token (lookup); the token itself sealed, for the links in each message. */
  manage_token_hash: string;
  manage_token_sealed: string;
  /** Component ids; `[]`: everything. */
  components_json: string;
  confirmed_at: number | null;
  last_confirmation_at: number | null;
  last_failure_at: number | null;
  last_failure: string | null;
  /** public | admin */
  source: string;
  created_at: number;
  updated_at: number;
}

/** A confirmation link of a subscriber (migration 0027), by the SHA-256 of its token. */
export interface StatusSubscriberConfirmationsTable {
  token_hash: string;
  subscriber_id: string;
  page_id: string;
  expires_at: number;
  created_at: number;
}

/** One event delivered to one subscriber (migration 0027): a replayed send job skips it. */
export interface StatusSubscriberDeliveriesTable {
  event_id: string;
  subscriber_id: string;
  delivered_at: number;
}

/** One event told to a page's subscribers (migration 0027): its public notice, built once. */
export interface StatusSubscriberEventsTable {
  id: string;
  page_id: string;
  notice_json: string;
  created_at: number;
}

/** A one-time sign-in link to a private status page (migration 0028, ADR 0041), by the SHA-256 of its token. */
export interface StatusPageAccessLinksTable {
  token_hash: string;
  page_id: string;
  email: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

/** The key signing private status pages' visitor cookies (migration 0028), sealed with the instance key. */
export interface StatusPageAccessKeysTable {
  id: string;
  key_sealed: string;
  created_at: number;
}

/** A maintenance's reminder to subscribers (migration 0028): minutes before its start, and the start last reminded of. */
export interface StatusMaintenanceRemindersTable {
  maintenance_id: string;
  page_id: string;
  minutes_before: number;
  reminded_for: number | null;
  updated_at: number;
}
