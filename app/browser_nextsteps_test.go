package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

// TestBrowserLearnerSeesNextSteps: the demo learner 王秀兰 signs in, sees
// the alert badge on her record, opens Next steps and finds a pathway with
// at least one suggested course, in both languages.
func TestBrowserLearnerSeesNextSteps(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn(demoLearnerID(t), demoLearnerPassword)
	b.do("record with the alerts link", chromedp.WaitVisible(chromedp.CSS(`#learner-name`)), chromedp.WaitVisible(chromedp.CSS(`#alerts-link`)))
	b.do("open next steps from the navigation", chromedp.Click(chromedp.CSS(`#nav a[href="#/next"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pathways .suggestion .course-item`)))
	if got := b.text(`h1`); got != "下一步" {
		t.Errorf("heading = %q", got)
	}
	exempt := `#pathways [data-rule-code="OU-EXEMPT-CS101"]`
	if got := b.text(exempt + ` .shortfall-message`); got != "还需要 2.5 学分的社区教育类成果" {
		t.Errorf("shortfall shown = %q", got)
	}
	first := b.text(exempt + ` .suggestion[data-rank="1"]`)
	if !strings.Contains(first, "社区英语（中级）") || !strings.Contains(first, "示范区社区教育学院") {
		t.Errorf("first suggestion = %q, want the 40-hour community English course of the community college", first)
	}
	if got := b.text(`#pathways-ready`); !strings.Contains(got, "老年大学课程认定选修学分") {
		t.Errorf("ready rules = %q, want the senior elective she meets", got)
	}
	b.screenshot("next-steps")
	b.do("switch to English", chromedp.Click(chromedp.CSS(`#lang-toggle`)), chromedp.WaitVisible(chromedp.CSS(`#pathways`)))
	if got := b.text(`h1`); got != "Next steps" {
		t.Errorf("English heading = %q", got)
	}
	if got := b.text(exempt + ` h4`); !strings.Contains(got, "Suggested courses") {
		t.Errorf("English suggestion heading = %q", got)
	}
	b.do("back to Chinese", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	if problems := b.consoleProblems(); len(problems) > 0 {
		t.Errorf("console errors or CSP violations:\n%s", strings.Join(problems, "\n"))
	}
}

// TestBrowserStaffPublishesCourseAndPublicFindsIt: a registrar publishes a
// course from the catalogue editor (with a field error first), and a
// visitor who is not signed in finds it by a Chinese substring.
func TestBrowserStaffPublishesCourseAndPublicFindsIt(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("cc.registrar", demoStaffPassword)
	b.do("open the catalogue", chromedp.Click(chromedp.CSS(`#nav a[href="#/catalogue"]`)), chromedp.WaitVisible(chromedp.CSS(`#catalogue-list tbody tr`)))
	form := `#course-form`
	b.do("submit a course without a place", chromedp.SendKeys(chromedp.CSS(form+` [name="code"]`), "CC-CAL-09"),
		chromedp.SendKeys(chromedp.CSS(form+` [name="title"]`), "少儿软笔书法体验课"),
		chromedp.SendKeys(chromedp.CSS(form+` [name="hours"]`), "12"),
		chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(form+` [data-error-for="place"]`)))
	b.do("fix it and publish", chromedp.SendKeys(chromedp.CSS(form+` [name="place"]`), "文化路社区学校"),
		chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#catalogue-list tbody tr:first-child`)))
	b.waitJS("listed", `document.querySelector('#catalogue-list').textContent.includes('少儿软笔书法体验课')`)
	b.screenshot("catalogue")

	// Issuing for a catalogue course: choosing it fills the course fields.
	learner, _ := domain.CompleteNationalID("11010519880722432")
	f := func(name string) chromedp.CSS { return chromedp.CSS(`#issue-form [name="` + name + `"]`) }
	courseID := browserRun(b, "course id", chromedp.Evaluate[string](
		`fetch('/api/v1/courses?q=CC-CAL-09').then(r => r.json()).then(p => p.items[0].id)`, chromedp.EvalAwaitPromise))
	b.do("issue for the course", chromedp.Click(chromedp.CSS(`#nav a[href="#/issue"]`)), chromedp.WaitVisible(f("courseId")),
		chromedp.SetValue(f("courseId"), courseID),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#issue-form [name="courseId"]').dispatchEvent(new Event('change'))`),
		chromedp.SendKeys(f("learner.nationalId"), string(learner)),
		chromedp.SendKeys(f("learner.name"), "李建国"),
		chromedp.SendKeys(f("result.score"), "90"),
		chromedp.SetValue(f("completedOn"), "2025-10-01"),
		chromedp.Click(chromedp.CSS(`#issue-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#issue-result`)))
	if got := b.text(`#issue-result`); !strings.Contains(got, "少儿软笔书法体验课") {
		t.Errorf("issued = %q, want the catalogue course's title", got)
	}
	if got := b.text(`#issued-credits`); got != "0.5" {
		t.Errorf("credits = %q, want 0.5 (the course's 12 hours)", got)
	}
	b.signOut()

	b.open("courses")
	b.do("search 书法", chromedp.WaitVisible(chromedp.CSS(`#course-search`)),
		chromedp.SendKeys(chromedp.CSS(`#course-search [name="q"]`), "书法"),
		chromedp.Click(chromedp.CSS(`#course-search button[type="submit"]`)))
	b.waitJS("results", `document.querySelector('#course-results').textContent.includes('少儿软笔书法体验课')`)
	got := b.text(`#course-results`)
	b.screenshot("courses")
	for _, want := range []string{"硬笔书法入门", "老年书法（行书）", "少儿软笔书法体验课"} {
		if !strings.Contains(got, want) {
			t.Errorf("search for 书法 lacks %q", want)
		}
	}
	if strings.Contains(got, "太极拳") {
		t.Errorf("search for 书法 lists unrelated courses: %q", got)
	}
	// The refused first submission is logged by the browser as a failed
	// request; anything else is a fault.
	for _, p := range b.consoleProblems() {
		if !strings.Contains(p, "status of 422") {
			t.Errorf("console error or CSP violation: %s", p)
		}
	}
}
