package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Each staff role walks every screen it can reach, in both languages, and
// meets only plain words.

func TestBrowserRegistrarPagesSpeakPlainly(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("cc.registrar", demoStaffPassword)
	b.visitAllInBothLanguages(nil, nil)
}

func TestBrowserReviewerPagesSpeakPlainly(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("ou.reviewer", demoStaffPassword)
	b.visitAllInBothLanguages([]string{"review?status=needs_review", "review?status=appealed", "review?status=in_notice",
		"review?status=approved", "review?status=final", "review?status=rejected", "rule"}, nil)
}

func TestBrowserManagerPagesSpeakPlainly(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("hv.reviewer", demoStaffPassword)
	b.visitAllInBothLanguages([]string{"rule", "review?status=in_notice", "review?status=appealed"}, nil)
}

func TestBrowserAdminPagesSpeakPlainly(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("admin", demoAdminPassword)
	b.visitAllInBothLanguages([]string{"rule"}, nil)
}

// TestBrowserRuleFormErrorsInReadersLanguage sends a rule with several bad
// numbers: each problem appears at its own input, worded from the
// dictionary in the reader's language (not the API's English), and the
// page shows no codes or paths.
func TestBrowserRuleFormErrorsInReadersLanguage(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("hv.reviewer", demoStaffPassword)
	want := map[string]map[string]string{
		"zh": {
			"award.credits":                  "应为 0.5 的整数倍",
			"condition.items[0].minScore":    "不能超过 100",
			"noticeDays":                     "0 至 60 之间",
			"target.programCode":             "入学规则必须填写专业代码",
			"condition.items[0].maxAgeYears": "不能为负数",
		},
		"en": {
			"award.credits":                  "Must be a multiple of 0.5",
			"condition.items[0].minScore":    "Must be at most 100",
			"noticeDays":                     "Must be between 0 and 60",
			"target.programCode":             "Required",
			"condition.items[0].maxAgeYears": "Must not be negative",
		},
	}
	for _, lang := range []string{"zh", "en"} {
		b.setLanguage(lang)
		b.open("rule")
		b.do("fill a bad rule",
			chromedp.WaitVisible(chromedp.CSS(`#rule-form [name="code"]`)),
			chromedp.SendKeys(chromedp.CSS(`#rule-form [name="code"]`), "HV-BAD-"+strings.ToUpper(lang)),
			chromedp.SendKeys(chromedp.CSS(`#rule-form [name="name"]`), "证书入学"),
			setValue(`#rule-form [name="purpose"]`, "admission"),
			setValue(`#rule-form [name="approval"]`, "manual"),
			setValue(`#rule-form [name="award.mode"]`, "fixed"),
			setValue(`#rule-form [name="award.credits"]`, "0.3"),
			setValue(`#rule-form [name="condition.items[0].minScore"]`, "150"),
			setValue(`#rule-form [name="condition.items[0].maxAgeYears"]`, "-1"),
			setValue(`#rule-form [name="noticeDays"]`, "99"),
			setValue(`#rule-form [name="effectiveFrom"]`, "2026-01-01"),
			chromedp.Click(chromedp.CSS(`#rule-form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#rule-form .form-alert .alert-error`)),
		)
		for field, text := range want[lang] {
			got := b.text(`#rule-form .field-error[data-error-for="` + field + `"]`)
			if !strings.Contains(got, text) {
				t.Errorf("%s: error at %s = %q, want %q", lang, field, got, text)
			}
		}
		// The two kinds of cap say whose they are.
		capLabels := map[string][2]string{"zh": {"本机构每年", "本规则每年"}, "en": {"Institution’s yearly", "this rule"}}[lang]
		if got := b.text(`#rule-form [data-field="caps.per_year"] label`); !strings.Contains(got, capLabels[0]) {
			t.Errorf("%s: institution cap labelled %q", lang, got)
		}
		if got := b.text(`#rule-form [data-field="capPerYear"] label`); !strings.Contains(got, capLabels[1]) {
			t.Errorf("%s: rule cap labelled %q", lang, got)
		}
		b.plainWords("rule form errors", lang)
	}
}

// TestBrowserDuplicateOutcomeSaysSoInReadersLanguage issues the same outcome
// twice: the 409 is worded from the dictionary, with nothing of the API's
// English message in view.
func TestBrowserDuplicateOutcomeSaysSoInReadersLanguage(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("cc.registrar", demoStaffPassword)
	learner := demoLearnerID(t)
	for i, lang := range []string{"zh", "en"} {
		b.setLanguage(lang)
		b.open("issue")
		fill := func() {
			b.do("fill the outcome",
				chromedp.WaitVisible(chromedp.CSS(`#issue-form [name="learner.nationalId"]`)),
				setValue(`#issue-form [name="learner.nationalId"]`, learner),
				setValue(`#issue-form [name="learner.name"]`, "王秀兰"),
				setValue(`#issue-form [name="category"]`, "community"),
				setValue(`#issue-form [name="title"]`, "社区合唱团"),
				setValue(`#issue-form [name="hours"]`, "16"),
				setValue(`#issue-form [name="result.score"]`, "80"),
				setValue(`#issue-form [name="completedOn"]`, "2025-10-0"+strconv.Itoa(i+1)),
				chromedp.Click(chromedp.CSS(`#issue-form button[type="submit"]`)),
			)
		}
		fill()
		b.waitJS("first issued", `!!document.querySelector('#flash .alert-success, #issue-result .alert-success, main .alert-success')`)
		b.open("issue")
		fill()
		b.waitJS("duplicate refused", `!!document.querySelector('#issue-form .form-alert .alert-error')`)
		got := b.text(`#issue-form .form-alert .alert-error`)
		wantText := map[string]string{"zh": "无需重复登记", "en": "already banked"}[lang]
		if !strings.Contains(got, wantText) {
			t.Errorf("%s: duplicate says %q, want %q", lang, got, wantText)
		}
		if strings.Contains(got, "conflict") || strings.Contains(got, "duplicate outcome") {
			t.Errorf("%s: duplicate shows the API's own words: %q", lang, got)
		}
		b.plainWords("duplicate outcome", lang)
	}
}
