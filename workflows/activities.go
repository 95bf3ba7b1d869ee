package workflows

import "github.com/hrsync/hrsync/activities"

// a refers to the activity methods; the worker registers the real instance.
var a *activities.Activities
