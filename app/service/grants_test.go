package service_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

// grantStep is one act on the learner's shares, by the learner or the
// university reading: share for days (with the university, or "college"),
// withdraw the share, let days pass, read the record as the university's
// reviewer.
type grantStep struct {
	act      string
	days     int
	with     string // share: "" the university, "college"
	want     error
	extended bool // share: the live share was extended, not a new one made
}

func TestGrants(t *testing.T) {
	tests := []struct {
		name   string
		steps  []grantStep
		grants int      // shares on the account at the end
		listed bool     // the university lists the learner among the records shared with it
		log    []string // the learner's access log, newest first
	}{
		{"a share lets the institution read, and the learner sees the read",
			[]grantStep{{act: "share", days: 30}, {act: "read"}},
			1, true, []string{"institution 重庆开放大学 record.read"}},
		{"without a share the record does not exist to an institution",
			[]grantStep{{act: "read", want: domain.ErrNotFound}},
			0, false, nil},
		{"sharing again extends the live share",
			[]grantStep{{act: "share", days: 30}, {act: "share", days: 60, extended: true}, {act: "pass", days: 45}, {act: "read"}},
			1, true, []string{"institution 重庆开放大学 record.read"}},
		{"a withdrawn share ends access at once",
			[]grantStep{{act: "share", days: 30}, {act: "read"}, {act: "withdraw"}, {act: "read", want: domain.ErrNotFound}},
			1, false, []string{"institution 重庆开放大学 record.read"}},
		{"a share ends when its days are over, and sharing again makes a new one",
			[]grantStep{{act: "share", days: 7}, {act: "pass", days: 8}, {act: "read", want: domain.ErrNotFound},
				{act: "share", days: 7}, {act: "read"}},
			2, true, []string{"institution 重庆开放大学 record.read"}},
		{"a share with another institution opens nothing to this one",
			[]grantStep{{act: "share", days: 30, with: "college"}, {act: "read", want: domain.ErrNotFound}},
			1, false, nil},
		{"a share is for 1 to 365 days",
			[]grantStep{{act: "share", days: 0, want: domain.ErrInvalid}, {act: "share", days: 366, want: domain.ErrInvalid}, {act: "read", want: domain.ErrNotFound}},
			0, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			onEachStore(t, func(t *testing.T, b *bank) {
				b.deposit(b.learner, "插花", 32)
				var last domain.Grant
				for i, s := range tc.steps {
					var err error
					switch s.act {
					case "share":
						inst := b.university
						if s.with == "college" {
							inst = b.college
						}
						var g domain.Grant
						var extended bool
						g, extended, err = b.svc.Grant(b.ctx, b.learner.Actor, b.keyed(fmt.Sprint("share ", i)), inst.ID, s.days)
						if err == nil {
							if extended != s.extended {
								t.Errorf("step %d: extended=%v, want %v", i, extended, s.extended)
							}
							if want := domain.Now(b.now()).AddDate(0, 0, s.days); !g.ExpiresAt.Equal(want) {
								t.Errorf("step %d: share ends %v, want %v", i, g.ExpiresAt, want)
							}
							last = g
						}
					case "withdraw":
						err = b.svc.WithdrawGrant(b.ctx, b.learner.Actor, last.ID)
					case "pass":
						b.after(time.Duration(s.days) * 24 * time.Hour)
					case "read":
						var acc *domain.Account
						acc, err = b.svc.Record(b.ctx, b.reviewer, b.learner.ID)
						if err == nil && (acc.ID != b.learner.ID || len(acc.Outcomes) != 1) {
							t.Errorf("step %d: read account %s holding %d outcomes", i, acc.ID, len(acc.Outcomes))
						}
					default:
						t.Fatalf("unknown step %q", s.act)
					}
					wantErr(t, err, s.want, s.act)
				}
				acc := b.account(b.learner)
				if len(acc.Grants) != tc.grants {
					t.Errorf("%d shares, want %d", len(acc.Grants), tc.grants)
				}
				shared, _, err := b.svc.SharedWithMe(b.ctx, b.reviewer, storage.Page{})
				must(t, err, "records shared with the university")
				if listed := slices.ContainsFunc(shared, func(r service.SharedRecord) bool { return r.Account.ID == b.learner.ID }); listed != tc.listed {
					t.Errorf("listed among the university's shared records: %v, want %v", listed, tc.listed)
				}
				if got := accessLog(t, b, b.learner); !slices.Equal(got, tc.log) {
					t.Errorf("access log %q, want %q", got, tc.log)
				}
			})
		})
	}
}

// accessLog is l's access log as l sees it: "kind name action", newest
// first.
func accessLog(t *testing.T, b *bank, l learner) []string {
	t.Helper()
	entries, _, err := b.svc.AccessLog(b.ctx, l.Actor, storage.Page{})
	must(t, err, "access log")
	var out []string
	for _, e := range entries {
		out = append(out, string(e.Kind)+" "+e.Name+" "+string(e.Action))
	}
	return out
}
