package service_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/storetest"
)

// fixture is what a keyed use case acts on, made before it runs.
type fixture struct {
	rule   domain.Rule
	conv   uuid.UUID
	banked uuid.UUID
	helper learner
}

// Every keyed use case hands its Op's reservation to the store with its
// first write, which stores it with the change or not at all: a key
// another request holds fails the write (storage.ErrKeyTaken) and changes
// nothing. Stores that cannot carry reservations are given none (the key
// is reserved before the use case runs), so they are left out.
func TestKeyedWriteStoresItsKeyWithTheChange(t *testing.T) {
	newcomer, err := domain.CompleteNationalID("50022419900101123")
	must(t, err, "national ID")
	deposited := func(b *bank) fixture {
		for _, c := range credits5 {
			b.deposit(b.learner, c.Title, c.Hours)
		}
		return fixture{rule: b.publish(exemption("EXEMPT-CS101", domain.ApprovalManual, 0))}
	}
	applied := func(b *bank) fixture {
		f := deposited(b)
		c, err := b.svc.ApplyConversion(b.ctx, b.learner.Actor, service.Op{}, f.rule.ID)
		must(b.t, err, "apply")
		f.conv = c.ID
		return f
	}
	conversions := func(status domain.ConversionStatus) func(*bank, fixture) int {
		return func(b *bank, _ fixture) int {
			n := 0
			for _, c := range b.account(b.learner).Conversions {
				if c.Status == status {
					n++
				}
			}
			return n
		}
	}
	tests := []struct {
		name  string
		setup func(b *bank) fixture
		write func(b *bank, f fixture, op service.Op) error
		// count is how many of what the write makes the bank holds.
		count func(b *bank, f fixture) int
	}{
		{"register", nil, func(b *bank, _ fixture, op service.Op) error {
			_, _, err := b.svc.RegisterLearner(b.ctx, service.Actor{}, op, service.RegisterInput{NationalID: string(newcomer), Name: "王芳", Password: "learner-pass-2026"})
			return err
		}, func(b *bank, _ fixture) int { return found(b, service.System, string(newcomer)) }},
		{"deposit", nil, func(b *bank, _ fixture, op service.Op) error {
			_, err := b.svc.IssueOutcome(b.ctx, b.issuer, op, service.IssueInput{NationalID: b.learner.nationalID, Name: b.learner.name, Outcome: course("插花", 32)})
			return err
		}, func(b *bank, _ fixture) int { return len(b.account(b.learner).Outcomes) }},
		{"deposit opening an account", nil, func(b *bank, _ fixture, op service.Op) error {
			_, err := b.svc.IssueOutcome(b.ctx, b.issuer, op, service.IssueInput{NationalID: string(newcomer), Name: "王芳", Outcome: course("插花", 32)})
			return err
		}, func(b *bank, _ fixture) int { return found(b, service.System, string(newcomer)) }},
		{"import", nil, func(b *bank, _ fixture, op service.Op) error {
			_, err := b.svc.StartImport(b.ctx, b.issuer, op, "成果.csv", []byte(importHeader+b.learner.nationalID+",林静,community,社区合唱,CC-01,32,90,2025/3/1\n"))
			b.svc.WaitForImports()
			return err
		}, func(b *bank, _ fixture) int {
			jobs, _, err := b.svc.ImportHistory(b.ctx, b.issuer, storage.Page{})
			must(b.t, err, "import history")
			return len(jobs)
		}},
		{"revoke", func(b *bank) fixture { return fixture{banked: b.deposit(b.learner, "插花", 32).ID} },
			func(b *bank, f fixture, op service.Op) error {
				_, err := b.svc.RevokeOutcome(b.ctx, b.issuer, op, f.banked, "录入错误")
				return err
			}, func(b *bank, f fixture) int {
				if o, _ := b.account(b.learner).Outcome(f.banked); o.Status == domain.OutcomeRevoked {
					return 1
				}
				return 0
			}},
		{"share", nil, func(b *bank, _ fixture, op service.Op) error {
			_, _, err := b.svc.Grant(b.ctx, b.learner.Actor, op, b.university.ID, 30)
			return err
		}, func(b *bank, _ fixture) int { return len(b.account(b.learner).Grants) }},
		{"institution", nil, func(b *bank, _ fixture, op service.Op) error {
			_, err := b.svc.CreateInstitution(b.ctx, service.System, op, domain.InstitutionInput{Name: "永川社区学院", Kind: string(domain.KindCommunityCollege),
				Region: "永川区", Capabilities: []string{"issue"}, Categories: []string{"community"}})
			return err
		}, func(b *bank, _ fixture) int {
			all, _, err := b.svc.ListInstitutions(b.ctx, storage.Page{})
			must(b.t, err, "institutions")
			return len(all) - 2 // the district's own
		}},
		{"staff", nil, func(b *bank, _ fixture, op service.Op) error {
			_, err := b.svc.CreateStaff(b.ctx, service.System, op, b.college.ID, service.StaffInput{Username: "cc.clerk", Password: "staff-password-2026", Perms: []string{"issue"}})
			return err
		}, func(b *bank, _ fixture) int {
			staff, err := b.svc.Staff(b.ctx, service.System, b.college.ID)
			must(b.t, err, "staff")
			return len(staff) - 1 // the district's issuer
		}},
		{"rule", nil, func(b *bank, _ fixture, op service.Op) error {
			_, err := b.svc.CreateRule(b.ctx, b.manager, op, exemption("EXEMPT-CS101", domain.ApprovalManual, 0))
			return err
		}, func(b *bank, _ fixture) int {
			rules, _, err := b.svc.ListRules(b.ctx, service.System, storage.RuleFilter{}, storage.Page{})
			must(b.t, err, "rules")
			return len(rules)
		}},
		{"unit", func(b *bank) fixture {
			_, err := b.svc.SetFramework(b.ctx, service.System, storetest.ExampleFramework(4), nil)
			must(b.t, err, "framework")
			return fixture{}
		}, func(b *bank, _ fixture, op service.Op) error {
			_, err := b.svc.CreateUnit(b.ctx, service.System, op, domain.UnitInput{Code: "CU-01", TitleZH: "插花基础", TitleEN: "Flower arranging", Level: 2,
				Credits: 2, Hours: 32, Category: "community", LearningOutcomes: "能够完成基础插花作品", Assessment: string(domain.AssessPractical),
				QANote: "双人评审", Status: string(domain.UnitActive)})
			return err
		}, func(b *bank, _ fixture) int {
			_, err := b.svc.Unit(b.ctx, "CU-01")
			return countFound(b, err)
		}},
		{"course", nil, func(b *bank, _ fixture, op service.Op) error {
			_, err := b.svc.CreateCourse(b.ctx, b.issuer, op, service.CourseInput{CourseInput: domain.CourseInput{Code: "CC-01", Title: "社区合唱", Category: "community", Hours: 32, Place: "铜梁区文化馆"}})
			return err
		}, func(b *bank, _ fixture) int {
			courses, _, err := b.svc.InstitutionCourses(b.ctx, b.issuer, domain.CourseQuery{}, storage.Page{})
			must(b.t, err, "courses")
			return len(courses)
		}},
		{"apply", deposited, func(b *bank, f fixture, op service.Op) error {
			_, err := b.svc.ApplyConversion(b.ctx, b.learner.Actor, op, f.rule.ID)
			return err
		}, conversions(domain.ConversionPending)},
		{"decide", applied, func(b *bank, f fixture, op service.Op) error {
			_, err := b.svc.DecideConversion(b.ctx, b.reviewer, op, f.conv, service.Approve, "")
			return err
		}, conversions(domain.ConversionApproved)},
		{"appeal", func(b *bank) fixture {
			f := applied(b)
			_, err := b.svc.DecideConversion(b.ctx, b.reviewer, service.Op{}, f.conv, service.Reject, "材料不全")
			must(b.t, err, "reject")
			return f
		}, func(b *bank, f fixture, op service.Op) error {
			_, err := b.svc.AppealConversion(b.ctx, b.learner.Actor, op, f.conv, "材料已补齐")
			return err
		}, conversions(domain.ConversionAppealed)},
		{"objection", func(b *bank) fixture {
			for _, c := range credits5 {
				b.deposit(b.learner, c.Title, c.Hours)
			}
			rule := b.publish(exemption("EXEMPT-CS101", domain.ApprovalManual, 5))
			c, err := b.svc.ApplyConversion(b.ctx, b.learner.Actor, service.Op{}, rule.ID)
			must(b.t, err, "apply")
			_, err = b.svc.DecideConversion(b.ctx, b.reviewer, service.Op{}, c.ID, service.Approve, "")
			must(b.t, err, "approve into notice")
			return fixture{conv: c.ID}
		}, func(b *bank, f fixture, op service.Op) error {
			_, err := b.svc.ObjectToConversion(b.ctx, b.manager, op, f.conv, "未实际参加")
			return err
		}, conversions(domain.ConversionPending)},
		{"name a helper", func(b *bank) fixture { return fixture{helper: b.register("张伟")} }, func(b *bank, f fixture, op service.Op) error {
			_, err := b.svc.NameHelper(b.ctx, b.learner.Actor, op, f.helper.nationalID, f.helper.name, 30)
			return err
		}, func(b *bank, _ fixture) int { return len(b.account(b.learner).Helpers) }},
		{"apply as a helper", func(b *bank) fixture {
			f := deposited(b)
			f.helper = b.register("张伟")
			_, err := b.svc.NameHelper(b.ctx, b.learner.Actor, service.Op{}, f.helper.nationalID, f.helper.name, 30)
			must(b.t, err, "name the helper")
			return f
		}, func(b *bank, f fixture, op service.Op) error {
			_, err := b.svc.ApplyConversionFor(b.ctx, f.helper.Actor, op, b.learner.ID, f.rule.ID)
			return err
		}, conversions(domain.ConversionPending)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			onStoresCarryingReservations(t, func(t *testing.T, b *bank) {
				var f fixture
				if tc.setup != nil {
					f = tc.setup(b)
				}
				held := b.keyed("held")
				must(t, b.svc.ReserveKey(b.ctx, held.Reservation.Record), "another request holds the key")
				taken := b.keyed("held")
				wantErr(t, tc.write(b, f, taken), storage.ErrKeyTaken, tc.name+" under a held key")
				if n := tc.count(b, f); n != 0 {
					t.Fatalf("%s under a held key made %d", tc.name, n)
				}
				if placed, maybe := taken.Reservation.State(); placed || maybe {
					t.Fatalf("a reservation that lost its key reads as placed=%v maybe=%v", placed, maybe)
				}

				op := b.keyed("fresh")
				must(t, tc.write(b, f, op), tc.name)
				if n := tc.count(b, f); n != 1 {
					t.Fatalf("%s made %d, want 1", tc.name, n)
				}
				if placed, _ := op.Reservation.State(); !placed {
					t.Fatal("the reservation is not placed after the write committed")
				}
				rec, err := b.svc.KeyRecord(b.ctx, op.Key)
				must(t, err, "the key after the write")
				if rec.ObjectID != op.ObjectID || rec.Status != 0 || rec.Owner != b.svc.Epoch() {
					t.Fatalf("key on record %+v, want this process's unfinished reservation for %s", rec, op.ObjectID)
				}
			})
		})
	}
}

// found counts the learners registered under a national ID (0 or 1), as
// the centre's front desk finds them.
func found(b *bank, desk service.Actor, nationalID string) int {
	b.t.Helper()
	_, err := b.svc.FindLearner(b.ctx, desk, nationalID)
	return countFound(b, err)
}

func countFound(b *bank, err error) int {
	b.t.Helper()
	switch {
	case err == nil:
		return 1
	case errors.Is(err, domain.ErrNotFound):
		return 0
	}
	b.t.Fatal(err)
	return 0
}
