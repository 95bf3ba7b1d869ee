package main

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/workflows"
)

func TestPrintStatusSaysWhyQuarantinedAndHowToResume(t *testing.T) {
	reason := "Apply failed: kept failing until the outage limit; last error: 503 Service Unavailable; " +
		"scheduled runs wait until an administrator resumes the integration."
	var out bytes.Buffer
	printStatus(&out, workflows.IntegrationStatus{ID: "acme", Status: workflows.StatusQuarantined, Paused: true,
		Quarantined: reason})

	text := out.String()
	require.Regexp(t, `(?m)^status\s+Quarantined$`, text)
	require.Regexp(t, `(?m)^  quarantined\s+`+regexp.QuoteMeta(reason)+`$`, text)
	require.Regexp(t, `(?m)^  resume with\s+starter resume acme \(scheduled syncs wait until then; sync still works\)$`, text)
}

func TestPrintStatusWithoutQuarantine(t *testing.T) {
	var out bytes.Buffer
	printStatus(&out, workflows.IntegrationStatus{ID: "acme", Status: workflows.StatusPaused, Paused: true})

	require.NotContains(t, out.String(), "quarantined")
	require.NotContains(t, out.String(), "resume with")
}
