package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLearnerReadsPlainExplanations: on Next steps and on the
// conversion page, with every rule checked, a learner reads what is missing
// and how it was decided in her own language — no condition path, category
// code or step code — and the sentences change language with the page.
func TestBrowserLearnerReadsPlainExplanations(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn(demoLearnerID(t), demoLearnerPassword)
	b.do("next steps", chromedp.Click(chromedp.CSS(`#nav a[href="#/next"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pathways .shortfall-message`)))
	exempt := `#pathways [data-rule-code="OU-EXEMPT-CS101"] .shortfall-message`
	if got := b.text(exempt); got != "还需要 2.5 学分的社区教育类成果" {
		t.Errorf("shortfall = %q", got)
	}
	b.assertPlainBoth("next steps")

	b.do("conversion page", chromedp.Click(chromedp.CSS(`#nav a[href="#/convert"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-list [data-action="check"]`)))
	// One check at a time, as a person would click them.
	n := browserRun(b, "check every rule", chromedp.Evaluate[int](`(async () => {
	  const cards = [...document.querySelectorAll('#rule-list .rule-card')];
	  for (const c of cards) {
	    c.querySelector('[data-action="check"]').click();
	    for (let i = 0; i < 200 && !c.querySelector('.rule-result .evaluation, .rule-result .alert'); i++) {
	      await new Promise((r) => setTimeout(r, 50));
	    }
	  }
	  return cards.length;
	})()`, chromedp.EvalAwaitPromise))
	b.waitJS("every rule checked", `document.querySelectorAll('#rule-list .evaluation').length === `+strconv.Itoa(n))
	b.do("open every trace", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#rule-list details.trace').forEach((d) => { d.open = true; })`))
	page := b.text(`#rule-list`)
	for _, want := range []string{"可以使用的学习成果", "学分", "还差什么"} {
		if !strings.Contains(page, want) {
			t.Errorf("conversion page lacks %q", want)
		}
	}
	if strings.Contains(page, "技术细节") {
		t.Error("a learner is offered technical details")
	}
	b.assertPlainBoth("conversion checks")
	b.do("English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	if got := b.text(ruleCard("OU-EXEMPT-CS101") + ` .shortfall-message`); got != "2.5 more credits of Community education outcomes are needed" {
		t.Errorf("English shortfall = %q", got)
	}
	explained := browserRun(b, "evaluations", chromedp.Evaluate[string](`[...document.querySelectorAll('#rule-list .shortfall, #rule-list .trace-list')].map((e) => e.innerText).join('\n')`))
	// Outcome titles are quoted data; everything else is in English.
	if got := regexp.MustCompile(`“[^”]*”`).ReplaceAllString(explained, ""); han.MatchString(got) || !strings.Contains(explained, "Still missing") {
		t.Errorf("English checks show a Chinese sentence: %q", explained)
	}
	b.do("Chinese", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	// An application keeps its steps' data, so it reads as fully as the check.
	senior := ruleCard("OU-ELECTIVE-SENIOR")
	b.do("apply", chromedp.Click(chromedp.CSS(senior+` [data-action="apply"]`)),
		chromedp.WaitVisible(chromedp.CSS(senior+` .alert-success`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#rule-list details.trace').forEach((d) => { d.open = true; })`))
	if got := b.text(senior + ` .trace-list`); !strings.Contains(got, "使用「智能手机应用」（老年教育，2 学分）") {
		t.Errorf("applied conversion's steps = %q", got)
	}
	b.assertPlainBoth("conversion applied")
	if problems := b.consoleProblems(); len(problems) > 0 {
		t.Errorf("console errors or CSP violations:\n%s", strings.Join(problems, "\n"))
	}
}
