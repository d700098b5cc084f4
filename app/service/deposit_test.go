package service_test

import (
	"slices"
	"testing"

	"creditbank/app/service"
	"creditbank/domain"
)

// deposit is one outcome the college reports for the district's learner:
// under the Op named op (the same name, the same Op: a retried request), or
// a request without a key when op is empty; as the learner's name when
// name is empty.
type deposit struct {
	title string
	hours float64
	op    string
	name  string
	want  error
}

func TestDeposit(t *testing.T) {
	tests := []struct {
		name     string
		deposits []deposit
		// what the learner's account holds afterwards
		outcomes []string // titles
		balance  string   // banked/available/earmarked/spent
		ledger   []string
	}{
		{"one course banks its credits",
			[]deposit{{title: "插花", hours: 32}},
			[]string{"插花"}, "2/2/0/0", []string{"deposit +2"}},
		{"credits add up course by course",
			[]deposit{{title: "插花", hours: 32}, {title: "合唱", hours: 16}, {title: "书法", hours: 8}},
			[]string{"插花", "合唱", "书法"}, "3.5/3.5/0/0", []string{"deposit +2", "deposit +1", "deposit +0.5"}},
		{"a retried request banks once",
			[]deposit{{title: "插花", hours: 32, op: "a"}, {title: "插花", hours: 32, op: "a"}, {title: "插花", hours: 32, op: "a"}},
			[]string{"插花"}, "2/2/0/0", []string{"deposit +2"}},
		{"the same achievement under another key is a duplicate",
			[]deposit{{title: "插花", hours: 32, op: "a"}, {title: "插花", hours: 32, op: "b", want: domain.ErrDuplicate}},
			[]string{"插花"}, "2/2/0/0", []string{"deposit +2"}},
		{"the same achievement without a key is a duplicate",
			[]deposit{{title: "插花", hours: 32}, {title: "插花", hours: 32, want: domain.ErrDuplicate}},
			[]string{"插花"}, "2/2/0/0", []string{"deposit +2"}},
		{"a name other than the one on file banks nothing",
			[]deposit{{title: "插花", hours: 32, name: "林晶", want: domain.ErrInvalid}},
			nil, "0/0/0/0", nil},
		{"a course without hours banks nothing",
			[]deposit{{title: "插花", hours: 0, want: domain.ErrInvalid}, {title: "合唱", hours: 16}},
			[]string{"合唱"}, "1/1/0/0", []string{"deposit +1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			onEachStore(t, func(t *testing.T, b *bank) {
				ops := map[string]service.Op{}
				ids := map[string]string{} // op → outcome banked under it
				for i, d := range tc.deposits {
					op, ok := ops[d.op]
					if d.op != "" && !ok {
						op = b.keyed(d.op)
						ops[d.op] = op
					}
					name := d.name
					if name == "" {
						name = b.learner.name
					}
					res, err := b.svc.IssueOutcome(b.ctx, b.issuer, op, service.IssueInput{NationalID: b.learner.nationalID, Name: name, Outcome: course(d.title, d.hours)})
					wantErr(t, err, d.want, "deposit "+d.title)
					if err != nil {
						continue
					}
					if res.AccountCreated {
						t.Errorf("deposit %d opened an account; the learner has one", i)
					}
					if d.op != "" {
						if prev, seen := ids[d.op]; seen && prev != res.Outcome.ID.String() {
							t.Errorf("retry of %s answered with outcome %s, first attempt %s", d.op, res.Outcome.ID, prev)
						}
						ids[d.op] = res.Outcome.ID.String()
						if res.Outcome.ID != op.ObjectID {
							t.Errorf("outcome %s banked under %s, not the Op's object ID %s", d.title, res.Outcome.ID, op.ObjectID)
						}
						// The key is on record with the deposit: a retry
						// meeting it is a retry, never a new request.
						if _, err := b.svc.KeyRecord(b.ctx, op.Key); err != nil {
							t.Errorf("key %s after the deposit: %v", d.op, err)
						}
					}
				}
				acc := b.account(b.learner)
				var titles []string
				for _, o := range acc.Outcomes {
					titles = append(titles, o.Title)
				}
				if !slices.Equal(titles, tc.outcomes) {
					t.Errorf("outcomes %v, want %v", titles, tc.outcomes)
				}
				if got := b.balanceOf(acc); got != tc.balance {
					t.Errorf("balance %s, want %s", got, tc.balance)
				}
				if got := ledger(acc); !slices.Equal(got, tc.ledger) {
					t.Errorf("ledger %v, want %v", got, tc.ledger)
				}
				verified(t, acc, b.now())
			})
		})
	}
}

// A learner the bank does not know gets an account holding the outcome,
// unclaimed until they register with the same ID and name.
func TestDepositForNewLearnerOpensAnAccountTheyClaim(t *testing.T) {
	onEachStore(t, func(t *testing.T, b *bank) {
		nid := b.nationalID()
		res, err := b.svc.IssueOutcome(b.ctx, b.issuer, b.keyed("new"), service.IssueInput{NationalID: nid, Name: "王芳", Outcome: course("摄影", 48)})
		must(t, err, "deposit for a new learner")
		if !res.AccountCreated {
			t.Fatal("no account opened for a learner new to the bank")
		}
		acc, created, err := b.svc.RegisterLearner(b.ctx, service.Actor{}, service.Op{}, service.RegisterInput{NationalID: nid, Name: "王芳", Password: "claim-pass-2026"})
		must(t, err, "claim")
		if created || !acc.Claimed() {
			t.Fatalf("registering claimed nothing: created=%v claimed=%v", created, acc.Claimed())
		}
		if len(acc.Outcomes) != 1 || acc.Outcomes[0].ID != res.Outcome.ID || b.balanceOf(acc) != "3/3/0/0" {
			t.Fatalf("claimed account holds %d outcomes, balance %s; want the banked one, 3/3/0/0", len(acc.Outcomes), b.balanceOf(acc))
		}
		_, _, err = b.svc.RegisterLearner(b.ctx, service.Actor{}, service.Op{}, service.RegisterInput{NationalID: nid, Name: "王芳", Password: "claim-pass-2027"})
		wantErr(t, err, domain.ErrConflict, "claiming twice")
	})
}
