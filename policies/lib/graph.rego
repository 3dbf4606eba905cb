# METADATA
# description: >-
#   Microsoft Graph as the scope controls see it: recognised by appId alone, with the
#   expected permissions from data.teamschat.config, compared ignoring case.
package teamschat.lib.graph

# is_graph holds for a resource that is Microsoft Graph. A resource that could not be
# read has an empty appId and is never taken for Graph, whatever its display name.
is_graph(resource) if {
	resource.appId != ""
	lower(resource.appId) == lower(input.tenant.graphAppId)
}

delegated_expected := {lower(name) | some name in data.teamschat.config.delegated}

application_expected := {lower(name) | some name in data.teamschat.config.application}

# permission_name is a permission's name, or "" when the input lacks one.
permission_name(permission) := object.get(permission, "name", "")

# integration is the integration's service principal as a finding resource.
integration := {
	"type": "servicePrincipal",
	"id": object.get(input.tenant.integration, "id", ""),
	"name": object.get(input.tenant.integration, "displayName", ""),
}

# grant_resource is a delegated grant as a finding resource, named by what it points at.
grant_resource(grant) := {
	"type": "delegatedGrant",
	"id": object.get(grant, "id", ""),
	"name": object.get(grant, ["resource", "displayName"], ""),
}

# assignment_resource is an application permission assignment as a finding resource.
assignment_resource(assignment) := {
	"type": "appRoleAssignment",
	"id": object.get(assignment, "id", ""),
	"name": object.get(assignment, ["resource", "displayName"], ""),
}

grant_url(grant) := sprintf(
	"https://graph.microsoft.com/v1.0/oauth2PermissionGrants/%s",
	[object.get(grant, "id", "{id}")],
)

assignment_url(assignment) := sprintf(
	"https://graph.microsoft.com/v1.0/servicePrincipals/%s/appRoleAssignments/%s",
	[object.get(input.tenant.integration, "id", "{spId}"), object.get(assignment, "id", "{id}")],
)

# graph_sp_id is the object id of the tenant's Graph service principal as seen through
# any grant, for remediation requests; a placeholder when no grant points at Graph.
default graph_sp_id := "{Graph service principal id}"

graph_sp_id := sort(_graph_ids)[0]

_graph_ids contains grant.resource.id if {
	some grant in array.concat(input.tenant.delegatedGrants, input.tenant.appRoleAssignments)
	is_graph(grant.resource)
}

# grants_known holds when the integration was found and the grants of one kind
# ("delegatedGrants" or "appRoleAssignments") were read completely: only then is a
# permission missing from them missing from the tenant, not just from the evidence.
grants_known(source) if {
	input.tenant.integration.found == true
	input.tenant.sources[source].status == "complete"
}

# not_found is the not_applicable reason of every control over the integration's grants.
not_found := "no integration service principal in the tenant"
