#!/usr/bin/env bash
# Write an Azure export folder for `nhiscan scan --azure-export DIR`, with the az CLI alone
# (bash, sed and az: Azure Cloud Shell has them). Read-only: it lists and shows, never changes.
#
#   az login --tenant <tenant>        # Reader on the subscriptions; Graph Directory.Read.All,
#   tools/azure-export.sh DIR         # RoleManagement.Read.Directory (README "Azure offline")
#
# Each file is the command's unmodified JSON output, except the Graph lists `az rest` returns
# page by page: they are followed through @odata.nextLink and written as one {"value": [...]}.
# An optional part whose command fails (no permission, PIM not licensed) is not written and
# nhiscan records it as a not-in-export gap; a required part failing stops the script.
# The parts and their commands are nhiscan/connectors/azure/offline/layout.py (a test checks
# that this script writes each part the reader reads, and no other).
set -euo pipefail

out=${1:?usage: azure-export.sh DIR}
GRAPH=https://graph.microsoft.com/v1.0
# Microsoft's own applications (appOwnerOrganizationId): their owners and app roles are not read.
MS1=f8cdef31-a31e-4b4a-93e4-5f571e91255a
MS2=72f988bf-86f1-41af-91ab-2d7cd011db47
mkdir -p "$out"/role-assignments "$out"/app-owners "$out"/sp-owners \
  "$out"/app-role-assignments "$out"/federated-credentials

# save FILE COMMAND...: the command's JSON output, written only when it succeeds.
save() {
  local file=$1
  shift
  "$@" --output json >"$out/$file.part" || return 1
  mv "$out/$file.part" "$out/$file"
}

# graph FILE URL: every page of a Graph collection, as one {"value": [...]}. (Each step
# returns on failure: `set -e` does not apply inside a function called by `optional`.)
graph() {
  local file=$1 url=$2 n=0 i body sep=""
  while [ -n "$url" ]; do
    n=$((n + 1))
    az rest --method get --url "$url" --query value --output json >"$out/$file.page$n" ||
      return 1
    url=$(az rest --method get --url "$url" --query '"@odata.nextLink"' --output tsv) ||
      return 1
  done
  {
    printf '{"value": ['
    for i in $(seq 1 "$n"); do
      body=$(sed '1d;$d' "$out/$file.page$i") # the list's items, without its brackets
      if [ -n "$body" ]; then
        printf '%s\n%s' "$sep" "$body"
        sep=","
      fi
    done
    printf ']}\n'
  } >"$out/$file.part"
  rm -f "$out/$file".page*
  mv "$out/$file.part" "$out/$file"
}

# optional COMMAND...: an optional part; a failure is reported and the part left out.
optional() {
  "$@" || {
    echo "azure-export: not written (nhiscan records a gap): ${*:2:2}" >&2
    rm -f "$out/$2.part" "$out/$2".page*
  }
}

tenant=$(az account show --query tenantId --output tsv)
save account.json az account show
save subscriptions.json az account list --all
save applications.json az ad app list --all
save service-principals.json az ad sp list --all
save role-definitions.json az role definition list
for sub in $(az account list --all --query "[?tenantId=='$tenant'].id" --output tsv); do
  save "role-assignments/$sub.json" az role assignment list --all --subscription "$sub"
done
graph directory-role-assignments.json "$GRAPH/roleManagement/directory/roleAssignments"

optional graph directory-role-eligibilities.json \
  "$GRAPH/roleManagement/directory/roleEligibilitySchedules"
optional graph directory-role-definitions.json "$GRAPH/roleManagement/directory/roleDefinitions"
optional save management-groups.json \
  az account management-group show --name "$tenant" --expand --recurse
for app in $(az ad app list --all --query "[].appId" --output tsv); do
  optional save "app-owners/$app.json" az ad app owner list --id "$app"
  optional save "federated-credentials/$app.json" az ad app federated-credential list --id "$app"
done
others="[?appOwnerOrganizationId!='$MS1' && appOwnerOrganizationId!='$MS2']"
for sp in $(az ad sp list --all --query "$others.id" --output tsv); do
  optional graph "app-role-assignments/$sp.json" "$GRAPH/servicePrincipals/$sp/appRoleAssignments"
done
for sp in $(az ad sp list --all --query "$others | [?servicePrincipalType!='ManagedIdentity'].id" \
  --output tsv); do
  optional save "sp-owners/$sp.json" az ad sp owner list --id "$sp"
done
echo "azure-export: wrote $out (nhiscan scan --azure-export $out)" >&2
