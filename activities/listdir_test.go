package activities_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// pagedTarget lists the pages its page function gives; nothing else of
// it is used.
type pagedTarget struct {
	connectors.Target
	page  func(cursor string) connectors.UserPage
	calls int
}

func (p *pagedTarget) ListUsers(_ context.Context, cursor string) (connectors.UserPage, error) {
	p.calls++
	return p.page(cursor), nil
}

func usersOf(ids ...int) []roster.User {
	users := make([]roster.User, len(ids))
	for i, id := range ids {
		users[i] = roster.User{TargetID: fmt.Sprintf("u%d", id), Employee: roster.Employee{ID: fmt.Sprintf("E%d", id)}}
	}
	return users
}

func TestListDirectoryGuards(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		page  func(cursor string) connectors.UserPage
		want  string // the permanent error, "" for none
		calls int
		users int
	}{
		{name: "a repeated cursor", calls: 3, want: `the directory returned cursor "a" twice: its paging loops; page 3`,
			page: func(c string) connectors.UserPage {
				switch c {
				case "":
					return connectors.UserPage{Users: usersOf(1), Next: "a"}
				case "a":
					return connectors.UserPage{Users: usersOf(2), Next: "b"}
				}
				return connectors.UserPage{Users: usersOf(3), Next: "a"}
			}},
		{name: "more users than the bound", limit: 5, calls: 3,
			want: "the directory listed more than 5 users: its paging loops; page 3",
			page: func(c string) connectors.UserPage {
				n := len(c)
				return connectors.UserPage{Users: usersOf(2*n, 2*n+1), Next: c + "x"}
			}},
		{name: "endless empty pages", calls: 51, want: "the directory sent 51 empty pages in a row: its paging loops; page 51",
			page: func(c string) connectors.UserPage { return connectors.UserPage{Next: c + "x"} }},
		{name: "a user listed again as an offset moves is kept once", calls: 3, users: 5,
			page: func(c string) connectors.UserPage {
				switch c {
				case "":
					return connectors.UserPage{Users: usersOf(1, 2), Next: "3"}
				case "3":
					return connectors.UserPage{Users: usersOf(2, 3), Next: "5"}
				}
				return connectors.UserPage{Users: usersOf(4, 5)}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.limit > 0 {
				activities.LimitDirectoryUsers(t, tt.limit)
			}
			tgt := &pagedTarget{page: tt.page}
			users, err := activities.ListDirectory(context.Background(), tgt)
			require.Equal(t, tt.calls, tgt.calls)
			if tt.want == "" {
				require.NoError(t, err)
				require.Len(t, users, tt.users)
				return
			}
			require.True(t, connectors.IsPermanent(err), "not permanent: %v", err)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// Once its activity is cancelled, a paginated read asks for no further
// page, even from a connector that pays no heed to the context.
func TestAPaginatedReadStopsWhenCancelled(t *testing.T) {
	activities.LimitDirectoryUsers(t, 10) // else, without the check, it would page on for a million users
	ctx, cancel := context.WithCancel(context.Background())
	tgt := &pagedTarget{}
	tgt.page = func(c string) connectors.UserPage {
		if tgt.calls == 2 {
			cancel()
		}
		return connectors.UserPage{Users: usersOf(tgt.calls), Next: c + "x"}
	}
	_, err := activities.ListDirectory(ctx, tgt)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 2, tgt.calls)
}
