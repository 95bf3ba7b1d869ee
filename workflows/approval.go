package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/hrsync/hrsync/activities"
)

// versionNamedApprover refuses an approve or reject signal that does not
// say who decides; before it, such a signal was taken with no name.
const versionNamedApprover = "named-approver"

// errUnnamed refuses an approve or reject update that does not say who
// decides.
var errUnnamed = fmt.Errorf(`say who decides: {"by": "your name"}`)

// refuseUnnamed says why an approve or reject signal that names no one is
// ignored, or "" when it names someone (or was taken before the change).
// A signal cannot answer its sender, so the refusal is logged and shown in
// the workflow's details.
func refuseUnnamed(ctx workflow.Context, logger log.Logger, signal, by string) string {
	if strings.TrimSpace(by) != "" ||
		workflow.GetVersion(ctx, versionNamedApprover, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return ""
	}
	logger.Warn("Decision names no one; ignored", "Signal", signal)
	return fmt.Sprintf("A `%s` signal without `by` was ignored at %s: say who decides, "+
		`e.g. {"by": "your name"}.`, signal, workflow.Now(ctx).UTC().Format("2006-01-02 15:04 MST"))
}

// maxHeldInDetails caps the employees a waiting run's details list.
const maxHeldInDetails = 50

// awaitingDetails is what the Web UI shows of a run that waits for a
// decision: why it waits, whom it holds by HRIS id and reason — never a
// name, an email or a value — and how to approve or reject it.
func awaitingDetails(in SyncInput, plan activities.PlanResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** · integration %s · run %d (%s) · plan `%s`\n\n", StatusAwaitingApproval,
		in.IntegrationID, in.Number, in.Trigger, plan.PlanID)
	b.WriteString("**Why it waits**\n")
	for _, bl := range plan.Blocks {
		fmt.Fprintf(&b, "- %s: %s\n", bl.Code, bl.Message)
	}
	total := max(plan.HeldTotal, len(plan.HeldEmployees))
	fmt.Fprintf(&b, "\n**%d employees held** (HRIS id: reason)\n", total)
	for i, h := range plan.HeldEmployees {
		if i == maxHeldInDetails {
			break
		}
		reason := h.Code
		if h.Reason != "" {
			reason += ", " + h.Reason
		}
		fmt.Fprintf(&b, "- %s: %s\n", h.EmployeeID, reason)
	}
	if listed := min(len(plan.HeldEmployees), maxHeldInDetails); total > listed {
		fmt.Fprintf(&b, "- … and %d more: `starter status %s` lists them\n", total-listed, in.IntegrationID)
	}
	id := IntegrationWorkflowID(in.IntegrationID)
	fmt.Fprintf(&b, "\n**To decide**, on workflow `%s`: Send Update `%s` with `{\"by\": \"your name\"}` "+
		"(add `\"planId\": \"%s\"` to approve only this plan), or `%s` with `{\"by\": \"your name\", \"reason\": \"…\"}`; "+
		"or run `starter approve %s` / `starter reject %s`. A decision that names no one is refused.",
		id, UpdateApprove, plan.PlanID, UpdateReject, in.IntegrationID, in.IntegrationID)
	return b.String()
}
