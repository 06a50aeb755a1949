"""Every action the audit logs record, in one list: services name an action from here (a new
one is added here first), so the logs can be filtered and described by a known vocabulary."""

from enum import StrEnum


class AuditAction(StrEnum):
    ACCOUNT_ARCHIVED = "account.archived"
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_UPDATED = "account.updated"

    APPROVALS_APPROVED = "approvals.approved"
    APPROVALS_REJECTED = "approvals.rejected"
    APPROVALS_REQUESTED = "approvals.requested"
    APPROVALS_RULE_CHANGED = "approvals.rule_changed"
    APPROVALS_RULE_CREATED = "approvals.rule_created"
    APPROVALS_RULE_REMOVED = "approvals.rule_removed"
    APPROVALS_WITHDRAWN = "approvals.withdrawn"

    INTEGRATION_ADDED_TO_CRM = "integration.added_to_crm"
    INTEGRATION_CONFLICT_RESOLVED = "integration.conflict_resolved"
    INTEGRATION_CONNECTED = "integration.connected"
    INTEGRATION_CREDENTIALS_CHANGED = "integration.credentials_changed"
    INTEGRATION_DEAD_LETTER_REPLAYED = "integration.dead_letter_replayed"
    INTEGRATION_DISCONNECTED = "integration.disconnected"
    INTEGRATION_MAPPING_CHANGED = "integration.mapping_changed"
    INTEGRATION_PAUSED = "integration.paused"
    INTEGRATION_RESUMED = "integration.resumed"
    INTEGRATION_SWITCHED_ON = "integration.switched_on"
    RECORDS_IMPORTED = "integration.records_imported"
    INTEGRATION_SYNC_STARTED = "integration.sync_started"

    BUSINESS_CONFIGURATION_IMPORTED = "business.configuration_imported"
    BUSINESS_FIELD_CREATED = "business.field_created"
    BUSINESS_FIELD_RESTORED = "business.field_restored"
    BUSINESS_FIELD_RETIRED = "business.field_retired"
    BUSINESS_FIELD_UPDATED = "business.field_updated"
    BUSINESS_PARTNER_FIELD_MAPPED = "business.partner_field_mapped"
    BUSINESS_RULE_CREATED = "business.rule_created"
    BUSINESS_RULE_REMOVED = "business.rule_removed"
    BUSINESS_SHARING_POLICY_UPDATED = "business.sharing_policy_updated"
    BUSINESS_STAGE_REQUIREMENT_SET = "business.stage_requirement_set"
    BUSINESS_TERM_ADDED = "business.term_added"
    BUSINESS_TERM_RESTORED = "business.term_restored"
    BUSINESS_TERM_RETIRED = "business.term_retired"
    BUSINESS_TERM_UPDATED = "business.term_updated"
    BUSINESS_VOCABULARY_CREATED = "business.vocabulary_created"

    COLLEAGUE_INVITATION_ACCEPTED = "colleague_invitation.accepted"
    COLLEAGUE_INVITATION_RESENT = "colleague_invitation.resent"
    COLLEAGUE_INVITATION_REVOKED = "colleague_invitation.revoked"
    COLLEAGUE_INVITATION_SENT = "colleague_invitation.sent"

    COMPANY_CREATED = "company.created"
    COMPANY_PROFILE_UPDATED = "company.profile_updated"

    MARKETING_PLAN_ARCHIVED = "marketing_plan.archived"
    MARKETING_PLAN_CREATED = "marketing_plan.created"
    MARKETING_PLAN_PUBLISHED = "marketing_plan.published"
    MARKETING_PLAN_UPDATED = "marketing_plan.updated"

    MEMBERSHIP_ADDED = "membership.added"
    MEMBERSHIP_REMOVED = "membership.removed"
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed"
    MEMBERSHIP_SIGNED_OUT = "membership.signed_out"

    OPPORTUNITY_ARCHIVED = "opportunity.archived"
    OPPORTUNITY_CREATED = "opportunity.created"
    OPPORTUNITY_PUBLISHED = "opportunity.published"
    OPPORTUNITY_UPDATED = "opportunity.updated"

    PARTNER_INVITATION_SENT = "partner_invitation.sent"

    PARTNERSHIP_ACCEPTED = "partnership.accepted"
    PARTNERSHIP_DECLINED = "partnership.declined"
    PARTNERSHIP_ENDED = "partnership.ended"
    PARTNERSHIP_INVITED = "partnership.invited"

    RELATIONSHIPS_UPDATED = "relationships.updated"

    REPORTS_METRIC_CHANGED = "reports.metric_changed"
    REPORTS_METRIC_CREATED = "reports.metric_created"
    REPORTS_METRIC_REMOVED = "reports.metric_removed"

    SHARING_DEAL_ROLE_SET = "sharing.deal_role_set"
    SHARING_ENTRY_REMOVED = "sharing.entry_removed"
    SHARING_ENTRY_SET = "sharing.entry_set"
    SHARING_SETTINGS_CHANGED = "sharing.settings_changed"

    SSO_CONNECTION_CREATED = "sso.connection_created"
    SSO_CONNECTION_DISABLED = "sso.connection_disabled"
    SSO_CONNECTION_ENABLED = "sso.connection_enabled"
    SSO_CONNECTION_REMOVED = "sso.connection_removed"
    SSO_CONNECTION_TESTED = "sso.connection_tested"
    SSO_CONNECTION_UPDATED = "sso.connection_updated"
    SSO_DOMAIN_ADDED = "sso.domain_added"
    SSO_DOMAIN_REMOVED = "sso.domain_removed"
    SSO_DOMAIN_VERIFIED = "sso.domain_verified"
    SSO_ENFORCEMENT_CHANGED = "sso.enforcement_changed"
    SSO_ROLE_CHANGED = "sso.role_changed"
    SSO_SIGN_IN_REFUSED = "sso.sign_in_refused"
    SSO_USER_PROVISIONED = "sso.user_provisioned"

    SCIM_GROUP_CREATED = "scim.group_created"
    SCIM_GROUP_DELETED = "scim.group_deleted"
    SCIM_GROUP_ROLE_SET = "scim.group_role_set"
    SCIM_GROUP_UPDATED = "scim.group_updated"
    SCIM_USER_CREATED = "scim.user_created"
    SCIM_USER_DEACTIVATED = "scim.user_deactivated"
    SCIM_USER_DELETED = "scim.user_deleted"
    SCIM_USER_REACTIVATED = "scim.user_reactivated"
    SCIM_USER_UPDATED = "scim.user_updated"

    SERVICE_ACCOUNT_CREATED = "service_account.created"
    SERVICE_ACCOUNT_DISABLED = "service_account.disabled"
    SERVICE_ACCOUNT_TOKEN_ROTATED = "service_account.token_rotated"
    SERVICE_ACCOUNT_UPDATED = "service_account.updated"

    SOLUTION_ARCHIVED = "solution.archived"
    SOLUTION_CREATED = "solution.created"
    SOLUTION_PUBLISHED = "solution.published"
    SOLUTION_UPDATED = "solution.updated"

    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"

    WEBHOOK_DELIVERY_RESENT = "webhook.delivery_resent"
    WEBHOOK_ENDPOINT_CREATED = "webhook.endpoint_created"
    # switched off by us after sustained failure (by a person: webhook.endpoint_updated)
    WEBHOOK_ENDPOINT_DISABLED = "webhook.endpoint_disabled"
    WEBHOOK_ENDPOINT_REMOVED = "webhook.endpoint_removed"
    WEBHOOK_ENDPOINT_UPDATED = "webhook.endpoint_updated"
    WEBHOOK_SECRET_REVEALED = "webhook.secret_revealed"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"
    WEBHOOK_TEST_SENT = "webhook.test_sent"

    WORKSPACE_CREATED = "workspace.created"
    WORKSPACE_SETTINGS_UPDATED = "workspace.settings_updated"
