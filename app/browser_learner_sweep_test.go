package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

// TestBrowserLearnerPagesReadPlainly: every page a learner reaches from the
// navigation reads plainly in both languages — for a learner with a
// conversion in public notice (赵丽) and one with a rejection under appeal
// (孙伟), whose pages carry the most states.
func TestBrowserLearnerPagesReadPlainly(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	for _, first17 := range []string{"11010519900214331", "11010519850611247"} {
		id, _ := domain.CompleteNationalID(first17)
		b.signIn(string(id), demoLearnerPassword)
		for _, page := range []struct{ path, ready string }{
			{"record", `#ledger-status`},
			{"next", `#notice-history`},
			{"convert", `#rule-list`},
			{"transcript", `#certificate`},
			{"sharing", `main h1`},
			{"notices", `main h1`},
			{"helpers", `main h1`},
			{"password", `main h1`},
		} {
			b.open(page.path)
			b.do("open "+page.path, chromedp.WaitVisible(chromedp.CSS(page.ready)))
			b.assertPlainBoth(first17 + " " + page.path)
		}
		b.signOut()
	}
}
