package activities_test

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/notify/smtptest"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// invitations is an SMTP server and a webhook receiving the invitations of
// a fixture's integration.
type invitations struct {
	smtp *smtptest.Server
	mu   sync.Mutex
	hook []notify.InvitePayload
}

// withInvites sets the fixture's target to invite as mode, by email and
// webhook to servers of its own.
func (f *fixture) withInvites(mode string) *invitations {
	f.t.Helper()
	srv, err := smtptest.Start(smtptest.Options{})
	require.NoError(f.t, err)
	f.t.Cleanup(func() { _ = srv.Close() })
	inv := &invitations{smtp: srv}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p notify.InvitePayload
		if json.Unmarshal(body, &p) == nil && r.Header.Get("X-Hrsync-Event") == notify.EventUserInvited {
			inv.mu.Lock()
			inv.hook = append(inv.hook, p)
			inv.mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	f.t.Cleanup(hook.Close)
	f.config.Target.Invite = mode
	f.config.Target.InviteTemplate = &notify.InviteTemplate{
		Subject: "Welcome aboard, {{firstName}}", LoginURL: "https://app.acme.example/login"}
	f.config.Notify = notify.Config{
		Email:   &notify.EmailConfig{SMTPAddr: srv.Addr(), From: "hrsync@acme.example"},
		Webhook: &notify.WebhookConfig{URL: hook.URL},
	}
	require.NoError(f.t, f.config.Validate())
	return inv
}

// recipients are the addresses invited by email, one entry per message.
func (inv *invitations) recipients(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range inv.smtp.Messages() {
		require.Len(t, m.To, 1)
		out = append(out, m.To[0])
	}
	slices.Sort(out)
	return out
}

// hooked are the employees the webhook was told of.
func (inv *invitations) hooked() []string {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	var out []string
	for _, p := range inv.hook {
		out = append(out, p.EmployeeID)
	}
	slices.Sort(out)
	return out
}

func emailsOf(es []roster.Employee) []string {
	var out []string
	for _, e := range es {
		out = append(out, strings.ToLower(e.WorkEmail))
	}
	slices.Sort(out)
	return out
}

func idsOf(es []roster.Employee) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	slices.Sort(out)
	return out
}

func (f *fixture) report(syncID string) store.Report {
	f.t.Helper()
	r, err := f.store.GetReport(context.Background(), syncID)
	require.NoError(f.t, err)
	return r
}

func TestFirstSyncInvitesEveryUserItCreates(t *testing.T) {
	f := newFixture(t, options{})
	inv := f.withInvites(integration.InviteFirstSync)
	active, _ := f.split()

	f.fetch("sync-1")
	p := f.plan("sync-1")
	f.apply(p.PlanID)
	res := f.commit("sync-1")
	require.Equal(t, len(active), res.Invited)
	require.Equal(t, emailsOf(active), inv.recipients(t), "one email to each user created")
	require.Equal(t, idsOf(active), inv.hooked(), "one webhook event for each")
	require.Equal(t, &store.InviteCounts{Sent: len(active)}, f.report("sync-1").Invites)

	// The email speaks to the user by name and says where to sign in; the
	// webhook, without includePII, names the user by id only.
	e := active[0]
	for _, m := range inv.smtp.Messages() {
		if m.To[0] != strings.ToLower(e.WorkEmail) {
			continue
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		require.NoError(t, err)
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		require.NoError(t, err)
		require.Equal(t, "Welcome aboard, "+e.FirstName, subject)
		body := decodeQP(t, msg.Body)
		require.Contains(t, body, "Hello "+e.FirstName+",")
		require.Contains(t, body, "https://app.acme.example/login")
	}
	for _, p := range inv.hook {
		require.Equal(t, notify.EventUserInvited, p.Event)
		require.True(t, p.Emailed)
		require.NotEmpty(t, p.TargetID)
		require.Empty(t, p.Email+p.FirstName+p.LastName, "no personal data without includePII")
	}

	// Committing again (a retried commit) sends nothing more.
	f.commit("sync-1")
	require.Len(t, inv.smtp.Messages(), len(active))
	require.Equal(t, &store.InviteCounts{Sent: len(active)}, f.report("sync-1").Invites)
}

func TestACrashMidApplyAndAReSyncInviteNoOneTwice(t *testing.T) {
	activities.UseRetries(t, activities.RetryPolicy{First: time.Millisecond, Cap: time.Millisecond, Tries: 2,
		Budget: time.Second, BatchTries: 1, Beat: time.Second}, nil)
	var f *fixture
	creates := 0
	f = newFixture(t, options{dirHook: func(r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/users" {
			if creates++; creates == 4 {
				f.dir.FailNext(1000, http.StatusServiceUnavailable)
			}
		}
	}})
	inv := f.withInvites(integration.InviteFirstSync)
	active, _ := f.split()

	// The first run's apply stops part way, and the run fails: its report
	// records what it wrote, and invites those users.
	f.fetch("sync-1")
	p := f.plan("sync-1")
	_, err := f.applyErr(p.PlanID)
	require.Error(t, err)
	_, err = f.commitErr("sync-1", activities.OutcomeFailed)
	require.NoError(t, err)
	first := len(inv.smtp.Messages())
	require.Equal(t, 3, first)

	// A worker died after recording one invitation as pending, before it
	// could send it: that user is never invited twice, so it is reported
	// unconfirmed instead.
	f.dir.FailNext(0, 0)
	f.fetch("sync-2")
	p = f.plan("sync-2")
	f.apply(p.PlanID)
	var crashed string
	for id, pc := range f.changes(p.PlanID) {
		if pc.Change.Op == roster.OpCreate && crashed == "" {
			crashed = id
		}
	}
	claimed, err := f.store.ClaimInvite(context.Background(), store.Invitation{IntegrationID: integrationID,
		EmployeeID: crashed, SyncID: "sync-2"})
	require.NoError(t, err)
	require.True(t, claimed)

	// The re-sync is still the first successful run: it invites the users
	// it created, but for the one whose invitation is pending. Its commit,
	// retried, sends nothing more.
	f.commit("sync-2")
	f.commit("sync-2")
	got := inv.recipients(t)
	require.Len(t, got, len(active)-1)
	require.Equal(t, len(got), len(slices.Compact(slices.Clone(got))), "no one is emailed twice")
	require.Len(t, inv.hooked(), len(active)-1)
	counts := f.report("sync-2").Invites
	require.Equal(t, len(active)-first-1, counts.Sent)
	require.Equal(t, 1, counts.Unconfirmed)
	require.Equal(t, []store.InviteFailure{{EmployeeID: crashed, Status: store.InvitePending}}, counts.Failures)
}

func TestLaterHiresAreInvitedOnlyUnderAlways(t *testing.T) {
	for _, tc := range []struct {
		mode         string
		first, later int
	}{{integration.InviteFirstSync, 1, 0}, {integration.InviteAlways, 1, 1}, {integration.InviteNever, 0, 0}} {
		t.Run(tc.mode, func(t *testing.T) {
			f := newFixture(t, options{})
			inv := f.withInvites(tc.mode)
			active, _ := f.split()
			f.sync("sync-1")
			require.Len(t, inv.smtp.Messages(), tc.first*len(active))
			if tc.first == 0 {
				require.Nil(t, f.report("sync-1").Invites)
			}

			hire := roster.Employee{FirstName: "Nia", LastName: "Newcomer", WorkEmail: "nia.newcomer@demo.example",
				DateOfJoining: roster.Date{Year: 2026, Month: time.March, Day: 2}}
			require.NoError(t, f.hris.Add(hire))
			f.sync("sync-2")
			msgs := inv.smtp.Messages()
			require.Len(t, msgs, tc.first*len(active)+tc.later)
			if tc.later == 1 {
				require.Equal(t, []string{hire.WorkEmail}, msgs[len(msgs)-1].To)
				require.Equal(t, &store.InviteCounts{Sent: 1}, f.report("sync-2").Invites)
			} else {
				require.Nil(t, f.report("sync-2").Invites)
			}
		})
	}
}

func TestAFailedInvitationIsReportedAndNotResent(t *testing.T) {
	f := newFixture(t, options{})
	inv := f.withInvites(integration.InviteAlways)
	f.config.Notify.Webhook = nil
	active, _ := f.split()
	f.fetch("sync-1")
	p := f.plan("sync-1")
	f.apply(p.PlanID)
	inv.smtp.FailNext(550)
	f.commit("sync-1")
	counts := f.report("sync-1").Invites
	require.Equal(t, len(active)-1, counts.Sent)
	require.Equal(t, 1, counts.Failed)
	require.Len(t, counts.Failures, 1)
	require.Equal(t, store.InviteFailed, counts.Failures[0].Status)
	require.Contains(t, counts.Failures[0].Error, "550")

	f.commit("sync-1")
	require.Len(t, inv.smtp.Messages(), len(active)-1, "a failed invitation waits for a decision")
}

// decodeQP reads a quoted-printable body.
func decodeQP(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	require.NoError(t, err)
	return string(b)
}
