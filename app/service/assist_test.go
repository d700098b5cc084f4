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

// helperStep is one act of assisted access: the learner names a helper
// (who: "helper", the learner "self", an "unclaimed" account, the helper
// under a "wrong name"), withdraws the grant, days pass; the helper reads
// the record, previews or applies for a conversion on the learner's behalf.
type helperStep struct {
	act  string
	who  string
	days int
	want error
	miss bool // name: refused on the national ID alone (the API throttles repeated misses)
}

func TestAssistedAccess(t *testing.T) {
	tests := []struct {
		name      string
		steps     []helperStep
		assisting bool     // the helper lists the learner among those they assist
		log       []string // the learner's access log, newest first
		balance   string   // the learner's balance at the end
		converted domain.ConversionStatus
	}{
		{"a named helper reads the record, and the learner sees who did",
			[]helperStep{{act: "name", who: "helper", days: 30}, {act: "read"}},
			true, []string{"helper 张伟 record.read"}, "5/5/0/0", ""},
		{"a helper applies for a conversion on the learner's behalf",
			[]helperStep{{act: "name", who: "helper", days: 30}, {act: "preview"}, {act: "apply"}},
			true, []string{"helper 张伟 conversion.apply", "helper 张伟 conversion.preview"}, "5/1/4/0", domain.ConversionPending},
		{"without a grant the record does not exist to another learner",
			[]helperStep{{act: "read", want: domain.ErrNotFound}, {act: "apply", want: domain.ErrNotFound}},
			false, nil, "5/5/0/0", ""},
		{"a withdrawn grant ends assisted access at once",
			[]helperStep{{act: "name", who: "helper", days: 30}, {act: "withdraw"}, {act: "read", want: domain.ErrNotFound},
				{act: "apply", want: domain.ErrNotFound}},
			false, nil, "5/5/0/0", ""},
		{"assisted access ends when its days are over",
			[]helperStep{{act: "name", who: "helper", days: 7}, {act: "pass", days: 8}, {act: "read", want: domain.ErrNotFound}},
			false, nil, "5/5/0/0", ""},
		{"a helper must be a registered learner",
			[]helperStep{{act: "name", who: "unclaimed", days: 30, want: domain.ErrInvalid, miss: true}},
			false, nil, "5/5/0/0", ""},
		{"an ID with another name reads as no such learner",
			[]helperStep{{act: "name", who: "wrong name", days: 30, want: domain.ErrInvalid, miss: true}, {act: "read", want: domain.ErrNotFound}},
			false, nil, "5/5/0/0", ""},
		{"a learner cannot be their own helper",
			[]helperStep{{act: "name", who: "self", days: 30, want: domain.ErrInvalid, miss: true}},
			false, nil, "5/5/0/0", ""},
		{"a helper with a live grant cannot be named twice",
			[]helperStep{{act: "name", who: "helper", days: 30}, {act: "name", who: "helper", days: 60, want: domain.ErrConflict}},
			true, nil, "5/5/0/0", ""},
		{"assisted access is for 1 to 90 days",
			[]helperStep{{act: "name", who: "helper", days: 91, want: domain.ErrInvalid}},
			false, nil, "5/5/0/0", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			onEachStore(t, func(t *testing.T, b *bank) {
				for _, c := range credits5 {
					b.deposit(b.learner, c.Title, c.Hours)
				}
				rule := b.publish(exemption("EXEMPT-CS101", domain.ApprovalManual, 0))
				helper := b.register("张伟")
				unclaimed := b.nationalID()
				_, err := b.svc.IssueOutcome(b.ctx, b.issuer, service.Op{}, service.IssueInput{NationalID: unclaimed, Name: "赵敏", Outcome: course("摄影", 16)})
				must(t, err, "deposit for a learner who never registered")
				named := map[string][2]string{
					"helper": {helper.nationalID, helper.name}, "self": {b.learner.nationalID, b.learner.name},
					"unclaimed": {unclaimed, "赵敏"}, "wrong name": {helper.nationalID, "张玮"},
				}
				var grant domain.HelperGrant
				for i, s := range tc.steps {
					var err error
					switch s.act {
					case "name":
						var g domain.HelperGrant
						who := named[s.who]
						g, err = b.svc.NameHelper(b.ctx, b.learner.Actor, b.keyed(fmt.Sprint("step ", i)), who[0], who[1], s.days)
						if err == nil {
							if g.HelperID != helper.ID || g.HelperName != helper.name || !g.ExpiresAt.Equal(domain.Now(b.now()).AddDate(0, 0, s.days)) {
								t.Errorf("step %d: grant %+v", i, g)
							}
							grant = g
						}
						if miss := service.IsHelperLookupMiss(err); miss != s.miss {
							t.Errorf("step %d: naming %s answered as a lookup miss: %v, want %v (%v)", i, s.who, miss, s.miss, err)
						}
					case "withdraw":
						err = b.svc.WithdrawHelper(b.ctx, b.learner.Actor, grant.ID)
					case "pass":
						b.after(time.Duration(s.days) * 24 * time.Hour)
					case "read":
						var acc *domain.Account
						acc, err = b.svc.Record(b.ctx, helper.Actor, b.learner.ID)
						if err == nil && acc.ID != b.learner.ID {
							t.Errorf("step %d: the helper read account %s", i, acc.ID)
						}
					case "preview":
						var ev domain.Evaluation
						ev, _, err = b.svc.PreviewConversionFor(b.ctx, helper.Actor, b.learner.ID, rule.ID)
						if err == nil && !ev.Eligible {
							t.Errorf("step %d: previewed as not eligible with 5 credits", i)
						}
					case "apply":
						var c domain.Conversion
						c, err = b.svc.ApplyConversionFor(b.ctx, helper.Actor, b.keyed(fmt.Sprint("step ", i)), b.learner.ID, rule.ID)
						if err == nil && c.AccountID != b.learner.ID {
							t.Errorf("step %d: applied on account %s", i, c.AccountID)
						}
					default:
						t.Fatalf("unknown step %q", s.act)
					}
					wantErr(t, err, s.want, s.act)
				}
				assisted, _, err := b.svc.Assisting(b.ctx, helper.Actor, storage.Page{})
				must(t, err, "accounts the helper assists")
				if got := slices.ContainsFunc(assisted, func(a service.Assisted) bool { return a.Account.ID == b.learner.ID }); got != tc.assisting {
					t.Errorf("the helper lists the learner: %v, want %v", got, tc.assisting)
				}
				if got := accessLog(t, b, b.learner); !slices.Equal(got, tc.log) {
					t.Errorf("access log %q, want %q", got, tc.log)
				}
				acc := b.account(b.learner)
				if got := b.balanceOf(acc); got != tc.balance {
					t.Errorf("balance %s, want %s", got, tc.balance)
				}
				switch {
				case tc.converted == "" && len(acc.Conversions) != 0:
					t.Errorf("%d conversions, want none", len(acc.Conversions))
				case tc.converted != "" && (len(acc.Conversions) != 1 || acc.Conversions[0].Status != tc.converted):
					t.Errorf("conversions %+v, want one %s", acc.Conversions, tc.converted)
				}
				// The helper's own account is untouched by acting for another.
				if mine := b.account(helper); len(mine.Conversions) != 0 || len(mine.AccessLog) != 0 {
					t.Errorf("the helper's own account changed: %d conversions, %d log entries", len(mine.Conversions), len(mine.AccessLog))
				}
			})
		})
	}
}
