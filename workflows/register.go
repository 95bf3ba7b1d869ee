package workflows

import (
	"go.temporal.io/sdk/worker"

	"github.com/hrsync/hrsync/activities"
)

// Register adds hrsync's workflows and the given activities to a worker.
func Register(w worker.Registry, acts *activities.Activities) {
	w.RegisterWorkflow(IntegrationWorkflow)
	w.RegisterWorkflow(SyncWorkflow)
	w.RegisterWorkflow(PreviewWorkflow)
	w.RegisterActivity(acts)
}
