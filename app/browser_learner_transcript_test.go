package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLearnerTranscriptSaysWhatEachDownloadIsFor: the transcript
// page tells a resident what the electronic transcript is for, and keeps
// the machine formats and the verify command in a section for institutions
// that is closed until opened.
func TestBrowserLearnerTranscriptSaysWhatEachDownloadIsFor(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn(demoLearnerID(t), demoLearnerPassword)
	b.open("transcript")
	b.do("transcript", chromedp.WaitVisible(chromedp.CSS(`#certificate`)), chromedp.WaitVisible(chromedp.CSS(`#token-title`)))
	if got := b.text(`#token-title`); got != "给学校或单位核验用的电子证明" {
		t.Errorf("electronic transcript heading = %q", got)
	}
	page := b.text(`main`)
	for _, machine := range []string{"CLR", "开放徽章", "creditbank verify", "VC-JWT", "JSON"} {
		if strings.Contains(page, machine) {
			t.Errorf("the resident's page shows %q before the institutions' section is opened", machine)
		}
	}
	if got := b.text(`#for-institutions > summary`); !strings.Contains(got, "给机构用") {
		t.Errorf("institutions' section = %q", got)
	}
	b.assertPlainBoth("transcript")
	b.do("open the institutions' section", chromedp.Click(chromedp.CSS(`#for-institutions > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#transcript-clr`)))
	if got := b.text(`#for-institutions`); !strings.Contains(got, "CLR 2.0") || !strings.Contains(got, "creditbank verify") {
		t.Errorf("institutions' section = %q, want the formats and the command", got)
	}
	b.do("English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	if got := b.text(`#token-title`); got != "Electronic transcript for a school or employer to check" {
		t.Errorf("English heading = %q", got)
	}
	if problems := b.consoleProblems(); len(problems) > 0 {
		t.Errorf("console errors or CSP violations:\n%s", strings.Join(problems, "\n"))
	}
}
