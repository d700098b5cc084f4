package service_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

// upload is one CSV file the college sends: K stands for the district's
// learner's national ID, N for a learner new to the bank, X for an ID whose
// check character is wrong. The same op name is the same Op (a retried
// upload); each upload without one is a request of its own.
type upload struct {
	csv  string
	op   string
	want jobCounts
	errs []string // the job's reported rows, as "line column code"
}

type jobCounts struct{ total, ok, duplicates, failed, created int }

const importHeader = "身份证号,姓名,类别,成果名称,课程代码,学时,成绩,完成日期\n"

// choir is the first row of twoForK as an issuer sends it one by one.
var choir = domain.OutcomeInput{Category: "community", Title: "社区合唱", CourseCode: "CC-01", Hours: 32,
	Result: domain.Result{Score: ptr(90.0)}, CompletedOn: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}

func TestImport(t *testing.T) {
	twoForK := importHeader + "K,林静,community,社区合唱,CC-01,32,90,2025/3/1\n" + "K,林静,社区教育,书法,CC-02,16,85,2025-03-01\n"
	tests := []struct {
		name    string
		before  []domain.OutcomeInput // already banked for K, through the API
		uploads []upload
		// balances (banked/available/earmarked/spent) afterwards
		learner, newcomer string
	}{
		{"every row of a clean file is banked, a new learner gets an account", nil,
			[]upload{{csv: twoForK + "N,王芳,community,摄影,CC-03,48,92,2025-04-01\n", want: jobCounts{3, 3, 0, 0, 1}}},
			"3/3/0/0", "3/3/0/0"},
		{"a row already in the bank counts as a duplicate, not a failure", []domain.OutcomeInput{choir},
			[]upload{{csv: twoForK, want: jobCounts{2, 1, 1, 0, 0}, errs: []string{"2  duplicate"}}},
			"3/3/0/0", ""},
		{"bad rows are reported by line and column, the others land", nil,
			[]upload{{csv: importHeader + "X,某人,community,茶艺,CC-04,16,85,2025-03-01\n" + "K,林静,community,社区合唱,CC-01,32,90,2025/3/1\n" +
				"K,林静,community,书法,CC-02,很多,85,2025-03-01\n", want: jobCounts{3, 1, 0, 2, 0},
				errs: []string{"2 身份证号 invalid", "4 学时 number"}}},
			"2/2/0/0", ""},
		{"sending the file again banks nothing twice", nil,
			[]upload{{csv: twoForK, want: jobCounts{2, 2, 0, 0, 0}}, {csv: twoForK, want: jobCounts{2, 0, 2, 0, 0}, errs: []string{"2  duplicate", "3  duplicate"}}},
			"3/3/0/0", ""},
		{"a retried upload is answered with the job it started", nil,
			[]upload{{csv: twoForK, op: "a", want: jobCounts{2, 2, 0, 0, 0}}, {csv: twoForK, op: "a", want: jobCounts{2, 2, 0, 0, 0}}},
			"3/3/0/0", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			onEachStore(t, func(t *testing.T, b *bank) {
				for _, in := range tc.before {
					_, err := b.svc.IssueOutcome(b.ctx, b.issuer, service.Op{}, service.IssueInput{NationalID: b.learner.nationalID, Name: b.learner.name, Outcome: in})
					must(t, err, "deposit "+in.Title)
				}
				newcomer := b.nationalID()
				wrong := wrongCheck(b.nationalID())
				ops := map[string]service.Op{}
				jobs := map[string]uuid.UUID{} // op → job it started
				var all []uuid.UUID
				for i, up := range tc.uploads {
					csv := strings.NewReplacer("K", b.learner.nationalID, "N", newcomer, "X", wrong).Replace(up.csv)
					op, ok := ops[up.op]
					if up.op != "" && !ok {
						op = b.keyed(up.op)
						ops[up.op] = op
					}
					started, err := b.svc.StartImport(b.ctx, b.issuer, op, fmt.Sprintf("第%d批.csv", i+1), []byte(csv))
					must(t, err, "start import")
					if up.op != "" {
						if prev, seen := jobs[up.op]; seen && prev != started.ID {
							t.Fatalf("upload %d: the retry started job %s, the first attempt %s", i, started.ID, prev)
						}
						jobs[up.op] = started.ID
					}
					all = append(all, started.ID)
					b.svc.WaitForImports()
					job, err := b.svc.ImportJob(b.ctx, b.issuer, started.ID)
					must(t, err, "read the job")
					got := jobCounts{job.Total, job.OK, job.Duplicates, job.Failed, job.Created}
					if job.State != domain.ImportDone || got != up.want {
						t.Errorf("upload %d: job %s %+v, want done %+v", i, job.State, got, up.want)
					}
					var reported []string
					for _, e := range job.Errors {
						reported = append(reported, fmt.Sprintf("%d %s %s", e.Line, e.Column, e.Code))
					}
					if !slices.Equal(reported, up.errs) {
						t.Errorf("upload %d reported %q, want %q", i, reported, up.errs)
					}
				}
				acc := b.account(b.learner)
				if got := b.balanceOf(acc); got != tc.learner {
					t.Errorf("learner's balance %s, want %s", got, tc.learner)
				}
				verified(t, acc, b.now())
				if tc.newcomer != "" {
					claimed, _, err := b.svc.RegisterLearner(b.ctx, service.Actor{}, service.Op{}, service.RegisterInput{NationalID: newcomer, Name: "王芳", Password: "claim-pass-2026"})
					must(t, err, "the newcomer claims the account the import opened")
					if got := b.balanceOf(claimed); got != tc.newcomer {
						t.Errorf("newcomer's balance %s, want %s", got, tc.newcomer)
					}
				}
				// The job is its institution's: to another it does not exist.
				other := b.staff(b.institution("别的社区学院", "issue"), "other.issuer", domain.PermIssue)
				for _, id := range all {
					_, err := b.svc.ImportJob(b.ctx, other, id)
					wantErr(t, err, domain.ErrNotFound, "another institution reads the job")
				}
			})
		})
	}
}

// wrongCheck changes a national ID's check character.
func wrongCheck(id string) string {
	if id[17] == '0' {
		return id[:17] + "1"
	}
	return id[:17] + "0"
}
