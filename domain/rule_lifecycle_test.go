package domain_test

import (
	"errors"
	"testing"
	"time"

	"creditbank/domain"

	"github.com/google/uuid"
)

func engDraft(t *testing.T) domain.Rule {
	t.Helper()
	in := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) {
		r.ID, r.Version, r.Status, r.Revision = uuid.Nil, 7, domain.RulePublished, 3
		r.Code, r.Name = "  cb-comm-01 ", "  社区教育学分认定  "
	})
	d, err := domain.NewRuleDraft(in, "staff-1", engNow)
	if err != nil {
		t.Fatalf("NewRuleDraft: %v", err)
	}
	return d
}

func TestNewRuleDraftOwnsServerFields(t *testing.T) {
	d := engDraft(t)
	if d.ID == uuid.Nil || d.Version != 1 || d.Status != domain.RuleDraft || d.Revision != 0 || d.PublishedAt != nil {
		t.Errorf("server fields not reset: id=%s version=%d status=%s revision=%d", d.ID, d.Version, d.Status, d.Revision)
	}
	if d.Code != "CB-COMM-01" || d.Name != "社区教育学分认定" || d.CreatedBy != "staff-1" || !d.CreatedAt.Equal(engNow) {
		t.Errorf("normalised fields: code=%q name=%q by=%q at=%v", d.Code, d.Name, d.CreatedBy, d.CreatedAt)
	}
	_, err := domain.NewRuleDraft(engRule(domain.Group{Op: domain.OpAll}), "staff-1", engNow)
	if got := engProblems(t, err); len(got) != 1 || got[0] != "condition.items: must not be empty" {
		t.Errorf("invalid draft accepted or misreported: %v", got)
	}
}

func TestRuleUpdateDraft(t *testing.T) {
	d := engDraft(t)
	edit := engRule(engCat(domain.CategorySenior), func(r *domain.Rule) {
		r.Code, r.InstitutionID, r.Name = "OTHER", engOther, "老年教育学分认定"
	})
	if err := d.UpdateDraft(edit); err != nil {
		t.Fatalf("UpdateDraft: %v", err)
	}
	if d.Name != "老年教育学分认定" || d.Condition.Items[0].Match.Category != domain.CategorySenior {
		t.Errorf("content not updated: %q %v", d.Name, d.Condition.Items[0].Match.Category)
	}
	if d.Code != "CB-COMM-01" || d.InstitutionID != engInst || d.Version != 1 {
		t.Errorf("identity changed by an edit: code=%s inst=%s version=%d", d.Code, d.InstitutionID, d.Version)
	}

	before := d.Name
	bad := edit
	bad.Name = ""
	if err := d.UpdateDraft(bad); !errors.Is(err, domain.ErrInvalid) || d.Name != before {
		t.Errorf("invalid edit: err=%v name=%q, want ErrInvalid and no change", err, d.Name)
	}

	if err := d.Publish(engNow); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if err := d.UpdateDraft(edit); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("editing a published rule: %v, want ErrConflict", err)
	}
}

func TestRulePublishAndRetire(t *testing.T) {
	d := engDraft(t)
	at := engNow.Add(time.Hour)
	if err := d.Publish(at); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if d.Status != domain.RulePublished || d.PublishedAt == nil || !d.PublishedAt.Equal(at) {
		t.Errorf("after publish: status=%s publishedAt=%v", d.Status, d.PublishedAt)
	}
	if err := d.Publish(at); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("publishing twice: %v, want ErrConflict", err)
	}
	retireAt := engNow.Add(48 * time.Hour)
	if err := d.Retire(retireAt); err != nil {
		t.Fatalf("Retire: %v", err)
	}
	if d.Status != domain.RuleRetired || d.EffectiveTo == nil || !d.EffectiveTo.Equal(retireAt) {
		t.Errorf("after retire: status=%s effectiveTo=%v", d.Status, d.EffectiveTo)
	}
	if err := d.Retire(retireAt); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("retiring twice: %v, want ErrConflict", err)
	}
	if err := d.Publish(retireAt); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("publishing a retired rule: %v, want ErrConflict", err)
	}

	invalid := engRule(domain.Group{Op: domain.OpAll}, func(r *domain.Rule) { r.Status = domain.RuleDraft })
	if err := invalid.Publish(engNow); !errors.Is(err, domain.ErrInvalid) || invalid.Status != domain.RuleDraft {
		t.Errorf("publishing an invalid draft: %v status=%s", err, invalid.Status)
	}
}

func TestRuleNextVersionIsAnIndependentDraft(t *testing.T) {
	p := engDraft(t)
	p.Caps = []domain.Cap{{Scope: domain.CapPerYear, MaxCredits: 4}}
	if err := p.Publish(engNow); err != nil {
		t.Fatal(err)
	}
	n := p.NextVersion(engNow.Add(time.Hour))
	if n.ID == p.ID || n.Code != p.Code || n.Version != 2 || n.Status != domain.RuleDraft || n.PublishedAt != nil {
		t.Errorf("next version: id same=%v code=%s version=%d status=%s", n.ID == p.ID, n.Code, n.Version, n.Status)
	}
	n.Condition.Items[0].Match.Category = domain.CategoryOnline
	n.Caps[0].MaxCredits = 10
	if p.Condition.Items[0].Match.Category != domain.CategoryCommunity || p.Caps[0].MaxCredits != 4 {
		t.Error("editing the new version changed the published one")
	}
	if err := n.UpdateDraft(n); err != nil {
		t.Errorf("the new version is not an editable draft: %v", err)
	}
}

func TestRuleEffectiveAt(t *testing.T) {
	end := engDate(2025, 12, 31)
	cases := []struct {
		name   string
		status domain.RuleStatus
		at     time.Time
		want   bool
	}{
		{"before the period", domain.RulePublished, engDate(2019, 12, 31), false},
		{"on the first day", domain.RulePublished, engDate(2020, 1, 1), true},
		{"inside", domain.RulePublished, engNow, true},
		{"at the end (exclusive)", domain.RulePublished, end, false},
		{"draft", domain.RuleDraft, engNow, false},
		{"retired", domain.RuleRetired, engNow, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Status, r.EffectiveTo = tc.status, &end })
			if got := r.EffectiveAt(tc.at); got != tc.want {
				t.Errorf("EffectiveAt(%v) = %v, want %v", tc.at, got, tc.want)
			}
		})
	}
}
